import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type GlobalOptions, printJson } from '../commands/common.js';
import { receiveCommand } from '../commands/receive.js';
import { UsageError } from '../errors.js';
import { type CliContext, styleFor } from '../ui/io.js';
import { sanitize } from '../ui/text.js';
import { type ApplicationClient, type ApplicationView, ApplicationClient as Client, type CreatedApplication } from './client.js';
import { pemCertificates, signChallenge } from './jpki-signer.js';

export interface AfterApproval {
  /** Redeem the offer into the wallet at once (default); false prints the offer instead. */
  receive?: boolean | undefined;
  json?: boolean | undefined;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the ${what} ${path}`);
  }
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new UsageError(`cannot read the ${what} ${path}`);
  }
}

function stateLine(ctx: CliContext, app: ApplicationView): string {
  const s = styleFor(ctx.stdout, ctx.env);
  const state =
    app.state === 'approved'
      ? s.green(app.state)
      : app.state === 'rejected' || app.state === 'refused'
        ? s.red(app.state)
        : s.yellow(app.state);
  return `Application ${s.bold(app.id)} (${app.method}): ${state}${app.assurance_level ? ` at ${app.assurance_level}` : ''}${app.reason ? ` — ${sanitize(app.reason)}` : ''}\n`;
}

/** After approval: ask for an offer and, unless told otherwise, receive it into the wallet. */
async function collect(
  ctx: CliContext,
  global: GlobalOptions,
  client: ApplicationClient,
  app: ApplicationView,
  secret: string,
  opts: AfterApproval,
) {
  const offer = await client.offer(app.id, secret);
  if (opts.receive === false) {
    if (opts.json) printJson(ctx, { application: app, offer });
    else
      ctx.stdout.write(
        `${stateLine(ctx, app)}offer_uri: ${offer.offer_uri}\ntx_code:   ${offer.tx_code}\nexpires:   ${offer.expires_at}\n`,
      );
    return 0;
  }
  if (!opts.json) ctx.stdout.write(stateLine(ctx, app));
  return receiveCommand(ctx, global, offer.offer_uri, { txCode: offer.tx_code, json: opts.json });
}

export interface JpkiApplyOptions extends AfterApproval {
  issuer: string;
  cert: string;
  key: string;
  kanaFamily: string;
  kanaGiven: string;
  postalCode: string;
  phone?: string | undefined;
}

/** `shomei apply jpki`: challenge → signature with the certificate key → approval → offer → wallet. */
export async function applyJpkiCommand(ctx: CliContext, global: GlobalOptions, opts: JpkiApplyOptions): Promise<number> {
  const chain = pemCertificates(readText(opts.cert, 'certificate file'));
  const keyPem = readText(opts.key, 'key file');
  const client = new Client(opts.issuer);
  const created = await client.create({ method: 'jpki' });
  if (!created.challenge) throw new UsageError('the issuer gave no challenge');
  const app = await client.submitJpki(created.id, created.secret, {
    certificate_chain: chain,
    challenge: created.challenge,
    signature: signChallenge(keyPem, created.challenge),
    supplement: {
      family_name_kana: opts.kanaFamily,
      given_name_kana: opts.kanaGiven,
      postal_code: opts.postalCode,
      ...(opts.phone ? { phone_number: opts.phone } : {}),
    },
  });
  return collect(ctx, global, client, app, created.secret, opts);
}

function printCreated(ctx: CliContext, created: CreatedApplication, opts: { json?: boolean | undefined }, issuer: string): void {
  if (opts.json) {
    printJson(ctx, created);
    return;
  }
  ctx.stdout.write(stateLine(ctx, created));
  ctx.stdout.write(
    `Application secret (shown once; keep it to follow the application): ${created.secret}\n` +
      `Follow it with: SHOMEI_APPLICATION_SECRET=<secret> shomei apply status ${created.id} --issuer ${issuer}\n`,
  );
}

const MEDIA: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png' };

export interface DocumentApplyOptions {
  issuer: string;
  identity: string;
  idDocument: string;
  selfie: string;
  json?: boolean | undefined;
}

/** `shomei apply document`: the typed identity, a photo ID and a selfie go to the issuer's review queue. */
export async function applyDocumentCommand(ctx: CliContext, _global: GlobalOptions, opts: DocumentApplyOptions): Promise<number> {
  let identity: unknown;
  try {
    identity = JSON.parse(readText(opts.identity, 'identity file'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError('the identity file is not JSON');
  }
  const files = [
    { kind: 'id_document', path: opts.idDocument },
    { kind: 'selfie', path: opts.selfie },
  ].map((f) => {
    const type = MEDIA[extname(f.path).toLowerCase()];
    if (!type) throw new UsageError(`${f.path}: images must be .jpg, .jpeg or .png`);
    return { kind: f.kind, bytes: readBytes(f.path, 'image'), type, name: `${f.kind}${extname(f.path).toLowerCase()}` };
  });
  const client = new Client(opts.issuer);
  const created = await client.create({ method: 'document', identity });
  const view = await client.submitDocuments(created.id, created.secret, files);
  printCreated(ctx, { ...created, ...view }, opts, opts.issuer);
  return 0;
}

export interface RelianceApplyOptions extends AfterApproval {
  issuer: string;
  assertion: string;
}

/** `shomei apply reliance`: a signed assertion from a carrier's or bank's KYC, handed to the issuer. */
export async function applyRelianceCommand(ctx: CliContext, global: GlobalOptions, opts: RelianceApplyOptions): Promise<number> {
  const assertion = readText(opts.assertion, 'assertion file').trim();
  const client = new Client(opts.issuer);
  const created = await client.create({ method: 'reliance', assertion });
  return collect(ctx, global, client, created, created.secret, opts);
}

export interface StatusOptions extends AfterApproval {
  issuer: string;
  secret?: string | undefined;
}

/** `shomei apply status <id>`: where an application stands; once approved, receives the credential. */
export async function applyStatusCommand(ctx: CliContext, global: GlobalOptions, id: string, opts: StatusOptions): Promise<number> {
  const secret = opts.secret ?? ctx.env.SHOMEI_APPLICATION_SECRET;
  if (!secret) throw new UsageError('no application secret: set SHOMEI_APPLICATION_SECRET or pass --secret');
  const client = new Client(opts.issuer);
  const app = await client.status(id, secret);
  if (app.state === 'approved' && app.offers_left > 0 && opts.receive !== undefined) return collect(ctx, global, client, app, secret, opts);
  if (opts.json) printJson(ctx, app);
  else ctx.stdout.write(stateLine(ctx, app));
  return app.state === 'rejected' || app.state === 'refused' ? 1 : 0;
}
