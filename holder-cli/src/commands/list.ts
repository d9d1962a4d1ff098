import type { CliContext } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatDate } from '../ui/text.js';
import { credentialJson, type GlobalOptions, levelText, printJson, withWallet } from './common.js';

/** `shomei list`: the credentials in the wallet, newest first. */
export async function listCommand(ctx: CliContext, global: GlobalOptions, options: { json?: boolean | undefined }): Promise<number> {
  const records = await withWallet(ctx, global, async (wallet) => wallet.credentials.list());
  if (options.json) {
    printJson(ctx, records.map(credentialJson));
    return 0;
  }
  if (records.length === 0) {
    ctx.stdout.write('No credentials yet. Receive one with `shomei receive <offer-uri>`.\n');
    return 0;
  }
  ctx.stdout.write(
    renderTable(
      ['ID', 'ISSUER', 'TYPE', 'LEVEL', 'ISSUED', 'EXPIRES'],
      records.map((r) => [
        r.id,
        r.issuerName ?? r.issuer,
        r.vct,
        levelText(r.assuranceLevel, r.sandbox),
        formatDate(r.issuedAt),
        formatDate(r.expiresAt),
      ]),
    ),
  );
  return 0;
}
