import { receiveCredential, type TxCodeRequest, type TxCodeSource } from '../oid4vci/receive.js';
import { type CliContext, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatDate, formatPath } from '../ui/text.js';
import { type GlobalOptions, issuerText, levelText, printJson, withWallet } from './common.js';

export interface ReceiveCommandOptions {
  txCode?: string | undefined;
  copies?: number | undefined;
  json?: boolean | undefined;
}

/** `shomei receive <offer-uri>`: redeems a credential offer and stores the credential. */
export async function receiveCommand(
  ctx: CliContext,
  global: GlobalOptions,
  offerUri: string,
  options: ReceiveCommandOptions,
): Promise<number> {
  const received = await withWallet(ctx, global, (wallet) =>
    receiveCredential(wallet, offerUri, {
      now: ctx.now,
      txCode: txCodeSource(ctx, options.txCode),
      copies: options.copies,
      policy: global.outbound,
    }),
  );
  if (options.json) {
    printJson(ctx, {
      id: received.id,
      issuer: received.issuer,
      issuer_name: received.issuerName,
      vct: received.vct,
      assurance_level: received.assuranceLevel,
      sandbox: received.sandbox,
      issued_at: received.issuedAt,
      expires_at: received.expiresAt,
      received_at: received.receivedAt,
      copies: received.copyIds.length,
      claims: received.claimPaths,
    });
    return 0;
  }
  const s = styleFor(ctx.stdout, ctx.env);
  ctx.stdout.write(`${s.green('Received credential')} ${s.bold(received.id)}\n`);
  ctx.stdout.write(
    renderTable(
      null,
      [
        ['Issuer', issuerText(received.issuerName, received.issuer)],
        ['Type', received.vct],
        ['Assurance', levelText(received.assuranceLevel, received.sandbox)],
        ['Issued', formatDate(received.issuedAt)],
        ['Expires', formatDate(received.expiresAt)],
        ['Copies', `${received.copyIds.length} (each with its own key: a fresh one for each verifier)`],
        ['Claims', received.claimPaths.map(formatPath).join(', ')],
      ],
      '  ',
    ),
  );
  return 0;
}

/** --tx-code, else SHOMEI_TX_CODE, else a prompt on the terminal that shows the issuer's hint. */
function txCodeSource(ctx: CliContext, flag: string | undefined): TxCodeSource {
  return async (request: TxCodeRequest) => {
    if (flag !== undefined) return flag;
    if (ctx.env.SHOMEI_TX_CODE) return ctx.env.SHOMEI_TX_CODE;
    if (!ctx.prompter) return undefined;
    const shape = request.length ? `${request.length} ${request.inputMode === 'numeric' ? 'digits' : 'characters'}` : request.inputMode;
    if (request.description) ctx.stderr.write(`${request.issuerName}: ${request.description}\n`);
    return ctx.prompter.line(`Transaction code (${shape}): `);
  };
}
