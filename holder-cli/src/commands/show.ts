import { ShomeiError } from '@shomei/shared';
import { inReadingOrder, leaves, openCredential } from '../credential/claims.js';
import { type CliContext, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatDate, formatPath, formatValue } from '../ui/text.js';
import { credentialJson, type GlobalOptions, issuerText, levelText, printJson, withWallet } from './common.js';

/** `shomei show <id>`: one credential with every claim it holds. */
export async function showCommand(
  ctx: CliContext,
  global: GlobalOptions,
  id: string,
  options: { json?: boolean | undefined },
): Promise<number> {
  const { record, compact } = await withWallet(ctx, global, async (wallet) => {
    const record = wallet.credentials.get(id);
    const compact = record ? wallet.credentials.compact(id) : undefined;
    if (!record || compact === undefined)
      throw new ShomeiError('not_found', `no credential ${JSON.stringify(id.slice(0, 64))} in this wallet`);
    return { record, compact };
  });
  const opened = openCredential(compact);
  if (options.json) {
    printJson(ctx, { ...credentialJson(record), claims: opened.disclosed, credential: compact });
    return 0;
  }
  const s = styleFor(ctx.stdout, ctx.env);
  ctx.stdout.write(`${s.bold(`Credential ${record.id}`)}\n`);
  ctx.stdout.write(
    renderTable(
      null,
      [
        ['Issuer', issuerText(record.issuerName, record.issuer)],
        ['Type', record.vct],
        ['Assurance', levelText(record.assuranceLevel, record.sandbox)],
        ['Issued', formatDate(record.issuedAt)],
        ['Expires', formatDate(record.expiresAt)],
        ['Received', formatDate(record.receivedAt)],
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
