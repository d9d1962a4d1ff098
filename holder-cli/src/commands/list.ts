import { daysLeft, NEAR_EXPIRY_DAYS } from '../credential/status.js';
import { type CliContext, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatDate } from '../ui/text.js';
import { credentialJson, type GlobalOptions, levelText, printJson, withWallet } from './common.js';
import { batchStatuses, statusText, warnings } from './status-view.js';

/** `shomei list`: the credentials in the wallet, newest first, with their live status. */
export async function listCommand(
  ctx: CliContext,
  global: GlobalOptions,
  options: { json?: boolean | undefined; offline?: boolean | undefined },
): Promise<number> {
  const now = ctx.now();
  const { batches, statuses } = await withWallet(ctx, global, async (wallet) => {
    const batches = wallet.credentials.batches();
    return { batches, statuses: await batchStatuses(wallet, batches, now, options.offline === true, global.outbound) };
  });
  const se = styleFor(ctx.stderr, ctx.env);
  for (const w of warnings(batches, statuses, now)) ctx.stderr.write(`${se.yellow('warning:')} ${w}\n`);
  if (options.json) {
    printJson(
      ctx,
      batches.map((b) => {
        const days = daysLeft(b.record, now);
        const st = statuses.get(b.id);
        return {
          ...credentialJson(b.record),
          status: st?.status ?? 'not_checked',
          status_reason: st?.reason ?? null,
          near_expiry: days !== null && days < NEAR_EXPIRY_DAYS,
          copies: b.copies.length,
          unused_copies: b.unused,
        };
      }),
    );
    return 0;
  }
  if (batches.length === 0) {
    ctx.stdout.write('No credentials yet. Receive one with `shomei receive <offer-uri>`.\n');
    return 0;
  }
  const s = styleFor(ctx.stdout, ctx.env);
  ctx.stdout.write(
    renderTable(
      ['ID', 'ISSUER', 'TYPE', 'LEVEL', 'STATUS', 'EXPIRES', 'COPIES'],
      batches.map((b) => [
        b.id,
        b.record.issuerName ?? b.record.issuer,
        b.record.vct,
        levelText(b.record.assuranceLevel, b.record.sandbox),
        statusText(statuses.get(b.id), s),
        formatDate(b.record.expiresAt),
        `${b.unused}/${b.copies.length} fresh`,
      ]),
    ),
  );
  return 0;
}
