import { type CliContext, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatPath, formatValue, sanitize } from '../ui/text.js';
import { type GlobalOptions, printJson, withWallet } from './common.js';

/** `shomei history`: what was shared, with whom, when and why; claim names only unless --values. */
export async function historyCommand(
  ctx: CliContext,
  global: GlobalOptions,
  options: { json?: boolean | undefined; values?: boolean | undefined },
): Promise<number> {
  const entries = await withWallet(ctx, global, async (wallet) => wallet.history.list());
  if (options.json) {
    printJson(
      ctx,
      entries.map((e) => ({
        id: e.id,
        at: e.createdAt,
        verifier: { client_id: e.clientId, name: e.verifierName },
        purpose: e.purpose,
        outcome: e.outcome,
        verifier_status: e.verifierStatus,
        credential_id: e.batchId,
        copy_id: e.credentialId,
        claims: e.claims,
        ...(options.values ? { values: e.values } : {}),
      })),
    );
    return 0;
  }
  if (entries.length === 0) {
    ctx.stdout.write('Nothing shared yet.\n');
    return 0;
  }
  const s = styleFor(ctx.stdout, ctx.env);
  for (const e of entries) {
    const when = e.createdAt.replace('T', ' ').slice(0, 16);
    const outcome = e.outcome === 'accepted' ? s.green(e.outcome) : e.outcome === 'declined' ? s.dim(e.outcome) : s.red(e.outcome);
    ctx.stdout.write(`${s.bold(when)} UTC  ${sanitize(e.verifierName ?? '(no name)', 100)}  ${outcome}\n`);
    const rows: string[][] = [
      ['Verifier', sanitize(e.clientId, 300)],
      ['Purpose', sanitize(e.purpose ?? '(none given)', 300)],
    ];
    if (e.batchId)
      rows.push(['Credential', e.credentialId && e.credentialId !== e.batchId ? `${e.batchId} (copy ${e.credentialId})` : e.batchId]);
    if (options.values) {
      for (const [i, path] of e.claims.entries()) {
        rows.push([i === 0 ? 'Shared' : '', `${formatPath(path)} = ${formatValue(e.values[path.join('.')])}`]);
      }
      if (e.claims.length === 0) rows.push(['Shared', 'nothing']);
    } else {
      rows.push(['Shared', e.claims.length === 0 ? 'nothing' : e.claims.map((p) => formatPath(p)).join(', ')]);
    }
    ctx.stdout.write(renderTable(null, rows, '  '));
  }
  return 0;
}
