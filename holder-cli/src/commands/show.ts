import { ShomeiError } from '@shomei/shared';
import { inReadingOrder, leaves, openCredential } from '../credential/claims.js';
import { daysLeft, NEAR_EXPIRY_DAYS } from '../credential/status.js';
import { type CliContext, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatDate, formatPath, formatValue, sanitize } from '../ui/text.js';
import { credentialJson, type GlobalOptions, issuerText, levelText, printJson, withWallet } from './common.js';
import { batchStatuses, statusText, warnings } from './status-view.js';

/** `shomei show <id>`: one credential with every claim it holds and its live status. */
export async function showCommand(
  ctx: CliContext,
  global: GlobalOptions,
  id: string,
  options: { json?: boolean | undefined; offline?: boolean | undefined },
): Promise<number> {
  const now = ctx.now();
  const { batch, compact, statuses } = await withWallet(ctx, global, async (wallet) => {
    const batch = wallet.credentials.batch(id);
    const compact = batch ? wallet.credentials.compact(batch.record.id) : undefined;
    if (!batch || compact === undefined)
      throw new ShomeiError('not_found', `no credential ${JSON.stringify(sanitize(id, 64))} in this wallet (see shomei list)`);
    return { batch, compact, statuses: await batchStatuses(wallet, [batch], now, options.offline === true, global.outbound) };
  });
  const record = batch.record;
  const status = statuses.get(batch.id);
  const opened = openCredential(compact);
  const days = daysLeft(record, now);
  const se = styleFor(ctx.stderr, ctx.env);
  for (const w of warnings([batch], statuses, now)) ctx.stderr.write(`${se.yellow('warning:')} ${w}\n`);
  if (options.json) {
    printJson(ctx, {
      ...credentialJson(record),
      status: status?.status ?? 'not_checked',
      status_reason: status?.reason ?? null,
      near_expiry: days !== null && days < NEAR_EXPIRY_DAYS,
      copies: batch.copies.length,
      unused_copies: batch.unused,
      claims: opened.disclosed,
      credential: compact,
    });
    return 0;
  }
  const s = styleFor(ctx.stdout, ctx.env);
  ctx.stdout.write(`${s.bold(`Credential ${batch.id}`)}\n`);
  ctx.stdout.write(
    renderTable(
      null,
      [
        ['Issuer', issuerText(record.issuerName, record.issuer)],
        ['Type', record.vct],
        ['Assurance', levelText(record.assuranceLevel, record.sandbox)],
        ['Status', statusText(status, s)],
        ['Issued', formatDate(record.issuedAt)],
        ['Expires', formatDate(record.expiresAt)],
        ['Received', formatDate(record.receivedAt)],
        ['Copies', `${batch.unused} of ${batch.copies.length} never shown to a verifier`],
      ],
      '  ',
    ),
  );
  ctx.stdout.write('\n');
  ctx.stdout.write(
    renderTable(
      ['CLAIM', 'VALUE'],
      inReadingOrder(leaves(opened.disclosed)).map((l) => [formatPath(l.path), formatValue(l.value)]),
      '  ',
    ),
  );
  return 0;
}
