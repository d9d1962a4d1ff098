import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  ALLOW_PRIVATE_NETWORK_ENV,
  defaultOutboundPolicy,
  didWebForOrigin,
  httpFetch,
  isShomeiError,
  OutboundPolicy,
  sanitize,
} from '@shomei/shared';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { accreditationsOption } from './accreditation/accreditations-file.js';
import { registerBatchCommand } from './batch/cli.js';
import { ConfigError, DEFAULT_DATA_DIR, ENV, resolveServeConfig, type ServeFlags } from './config.js';
import { registerOperatorCommands } from './operator-cli.js';
import { loadJpkiTrust, loadUpstreams } from './proofing/config.js';
import { DEFAULT_HOST, DEFAULT_PORT, startIssuer } from './server.js';
import { DEFAULT_SETTINGS } from './settings.js';

const NAME = 'shomei-issuer';
const { version: VERSION } = createRequire(import.meta.url)('../package.json') as { version: string };

function fail(message: string): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(1);
}

async function serve(flags: ServeFlags): Promise<void> {
  // Read by the outbound policy of every fetch the service makes (today: CRLs given as URLs).
  if (flags.allowPrivateNetwork) process.env[ALLOW_PRIVATE_NETWORK_ENV] = '1';
  const config = resolveServeConfig(flags, process.env);
  const running = await startIssuer({
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    database: config.dbFile,
    publicUrl: config.publicUrl,
    sandbox: config.sandbox,
    secret: config.secret,
    settings: { sdAlg: config.sdAlg },
    proofing: {
      jpki: loadJpkiTrust(config.jpkiAnchors, config.jpkiCrls, DEFAULT_SETTINGS.crlRefreshSeconds),
      upstreams: loadUpstreams(config.upstreams),
    },
  });
  const lines = [
    `${NAME} (OpenID4VCI credential issuer)`,
    `  host        ${running.listening.host}`,
    `  port        ${running.listening.port}`,
    `  data        ${config.dataDir}`,
    `  database    ${running.dbFile}`,
    `  public url  ${running.url}`,
    `  did         ${didWebForOrigin(running.url)}`,
    `  keys        ${running.deps.keys.all.length} signing key(s) published, newest signs`,
    `  secret      from ${config.secretSource}`,
    `  jpki        ${running.deps.proofing.jpki ? `on: ${running.deps.proofing.jpki.anchors.length} trust anchor(s), ${config.jpkiCrls.length} CRL(s)` : 'off (no --jpki-anchors)'}`,
    `  sd_alg      ${config.sdAlg}`,
    `  reliance    ${running.deps.proofing.upstreams.length} upstream KYC bod${running.deps.proofing.upstreams.length === 1 ? 'y' : 'ies'}`,
    `  operator    ${running.url}/operator (review queue; admin tokens: ${NAME} token create)`,
    `  outbound    public addresses only (https; CRLs also http), no redirects${defaultOutboundPolicy().allowPrivateNetwork ? `; loopback and private addresses too (${ALLOW_PRIVATE_NETWORK_ENV}, development)` : ''}`,
    `  sandbox     ${config.sandbox.enabled ? 'ON: POST /v1/sandbox/offers issues SANDBOX credentials for unproved identities' : 'off'}`,
    `${NAME} listening on ${running.url}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${NAME}: ${signal}, shutting down\n`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

interface OfferFlags {
  issuer: string;
  token?: string;
  identity: string;
  assurance: 'IAL1' | 'IAL2';
  json?: boolean;
}

function readIdentity(source: string): unknown {
  let text: string;
  try {
    text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  } catch {
    fail(`cannot read the identity from ${source === '-' ? 'stdin' : source}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail(`the identity in ${source === '-' ? 'stdin' : source} is not valid JSON`);
  }
}

async function sandboxOffer(flags: OfferFlags): Promise<void> {
  const token = flags.token ?? process.env[ENV.adminToken];
  if (!token) fail(`no admin token: set ${ENV.adminToken} or pass --token <token>`);
  const identity = readIdentity(flags.identity);
  const issuer = flags.issuer.replace(/\/+$/, '');
  const res = await httpFetch(`${issuer}/v1/sandbox/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ identity, assurance_level: flags.assurance }),
    // The operator names their own issuer (often on loopback): not a target an outsider chose.
    policy: new OutboundPolicy({ allowPrivateNetwork: true, allowPublicHttp: true }),
  });
  if (res.status !== 201) {
    let detail = res.body.slice(0, 500);
    try {
      const problem = res.json<{ detail?: string; code?: string }>();
      if (problem.detail) detail = problem.code ? `${problem.code}: ${problem.detail}` : problem.detail;
    } catch {
      // not JSON: show the start of the body as it is
    }
    // The answer reaches the operator's terminal: no escape sequences from the far end.
    fail(`the issuer answered ${res.status}: ${sanitize(detail)}`);
  }
  const body = sandboxOfferAnswer.safeParse(parseJsonOrUndefined(res.body));
  if (!body.success) fail('the issuer answered 201 but not with a sandbox offer (offer_uri, tx_code, expires_at)');
  printSandboxOffer(body.data, flags.json === true);
}

/** What a Shomei issuer answers to a sandbox offer: checked before it is printed. */
const sandboxOfferAnswer = z.object({
  sandbox: z.literal(true),
  offer_uri: z.string().regex(/^openid-credential-offer:\/\/\?[\x21-\x7e]{1,4000}$/),
  // Optional: an issuer from before offers by reference answers without it.
  offer_uri_by_reference: z
    .string()
    .regex(/^openid-credential-offer:\/\/\?credential_offer_uri=[\x21-\x7e]{1,2000}$/)
    .optional(),
  tx_code: z.string().regex(/^[0-9A-Za-z]{1,16}$/),
  expires_at: z.iso.datetime({ offset: true }),
});

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function printSandboxOffer(body: z.infer<typeof sandboxOfferAnswer>, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    [
      'SANDBOX credential offer (test data: nobody proved this identity)',
      `offer_uri:  ${body.offer_uri}`,
      ...(body.offer_uri_by_reference ? [`offer_uri_by_reference: ${body.offer_uri_by_reference}`] : []),
      `tx_code:    ${body.tx_code}`,
      `expires_at: ${body.expires_at}`,
      '',
      "Give the offer URI to the wallet (shomei receive '<offer_uri>') and enter the tx_code when it asks.",
      'A wallet that prefers a short URI (or a QR code) can take the offer by reference instead.',
      '',
    ].join('\n'),
  );
}

export function buildProgram(): Command {
  const program = new Command(NAME)
    .description('Shomei issuer: proves identities once and issues SD-JWT VC identity credentials over OpenID4VCI')
    .version(VERSION)
    // A usage error is one line and a pointer, exit 2 (the whole help buried the mistake).
    .showHelpAfterError(`(run ${NAME} --help for usage)`)
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  SHOMEI_ISSUER_SECRET=… ${NAME} serve --port 4000
  SHOMEI_ISSUER_SECRET=… SHOMEI_ISSUER_ADMIN_TOKEN=… ${NAME} serve --sandbox --port 0
  ${NAME} sandbox offer --issuer http://127.0.0.1:4000 --identity taro.json`,
    );

  registerBatchCommand(program);

  program
    .command('serve')
    .description('run the issuer HTTP service (OpenID4VCI, key discovery, status lists)')
    .option('--host <host>', `interface to listen on (env ${ENV.host}; default ${DEFAULT_HOST})`)
    .option('--port <port>', `port to listen on, 0 lets the OS pick (env ${ENV.port}; default ${DEFAULT_PORT})`)
    .option('--data <dir>', `directory of the database issuer.db, uploads and batch files (env ${ENV.data}; default ${DEFAULT_DATA_DIR})`)
    .option(
      '--database <url|file>',
      `PostgreSQL URL shared by replicas (postgres://user:pass@host/db), or a SQLite file (env ${ENV.database}; default <data>/issuer.db)`,
    )
    .option(
      '--public-url <url>',
      `public base URL, also the credential issuer identifier (env ${ENV.publicUrl}; default http://<host>:<port>)`,
    )
    .option('--sandbox', `enable sandbox offers for unproved identities (env ${ENV.sandbox}=1; needs ${ENV.adminToken})`)
    .option('--secret-file <path>', `file holding the key-vault secret (else env ${ENV.secret}; one of them is required)`)
    .option('--jpki-anchors <pem>', `PEM file of the CA certificates JPKI signing certificates must chain to (env ${ENV.jpkiAnchors})`)
    .option(
      '--jpki-crl <file|url>',
      `CRL of a JPKI CA, PEM or DER file or http(s) URL; repeatable (env ${ENV.jpkiCrl}, comma-separated)`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--upstreams <file>', `JSON file of upstream KYC bodies whose signed assertions are accepted (env ${ENV.upstreams})`)
    .option('--sd-alg <name>', `digest of the credentials' disclosures, their _sd_alg (env ${ENV.sdAlg}; default sha-256)`)
    .option(
      '--accreditations <file>',
      'JSON {"accreditations":[VC-JWT…]} served at /.well-known/shomei-accreditations, re-read on change (env SHOMEI_ISSUER_ACCREDITATIONS)',
      accreditationsOption,
    )
    .option(
      '--allow-private-network',
      `let CRL fetches reach loopback and private addresses (development; env ${ALLOW_PRIVATE_NETWORK_ENV}=1)`,
    )
    .addHelpText(
      'after',
      `
The key-vault secret seals the signing keys in the database; start with the same secret every time.
On start the configuration (without secrets) is printed, then one line "${NAME} listening on <url>".

Examples:
  SHOMEI_ISSUER_SECRET="$(cat /run/secrets/issuer)" ${NAME} serve
  ${NAME} serve --secret-file ./issuer.secret --host 0.0.0.0 --port 8443 --public-url https://issuer.example.jp
  SHOMEI_ISSUER_SECRET=dev SHOMEI_ISSUER_ADMIN_TOKEN=dev-admin ${NAME} serve --sandbox --port 0 --data /tmp/issuer
  ${NAME} serve --jpki-anchors ./test-ca/ca.pem --jpki-crl ./test-ca/crl.pem --upstreams ./upstreams.json`,
    )
    .action(serve);

  const sandbox = program
    .command('sandbox')
    .description('talk to the sandbox of a running issuer (test credentials only)')
    .addHelpText(
      'after',
      `
Example:
  ${NAME} sandbox offer --issuer http://127.0.0.1:4000 --identity taro.json`,
    );
  sandbox
    .command('offer')
    .description('create a SANDBOX credential offer for an identity record and print its offer URI and tx_code')
    .requiredOption('--issuer <url>', 'base URL of the running issuer')
    .requiredOption('--identity <file>', 'identity record as JSON (a file, or - for stdin)')
    .option('--token <token>', `sandbox admin token (default env ${ENV.adminToken}, which keeps it out of the process list)`)
    .addOption(new Option('--assurance <level>', 'assurance level to assert').choices(['IAL1', 'IAL2']).default('IAL2'))
    .option('--json', 'print the response body as JSON')
    .addHelpText(
      'after',
      `
The identity record: {"family_name","given_name","family_name_kana","given_name_kana","birthdate":"YYYY-MM-DD",
"gender":"male|female|other","address":{"postal_code","region","locality","street_address"},"phone_number"?}

Examples:
  ${ENV.adminToken}=dev-admin ${NAME} sandbox offer --issuer http://127.0.0.1:4000 --identity taro.json
  cat taro.json | ${NAME} sandbox offer --issuer http://127.0.0.1:4000 --identity - --assurance IAL1 --json`,
    )
    .action(sandboxOffer);
  registerOperatorCommands(program, fail);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    // Help and --version exit 0; every other commander error is a usage error.
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
    if (e instanceof ConfigError || isShomeiError(e)) {
      const message = isShomeiError(e, 'wrong_passphrase') ? 'the key-vault secret does not open this database' : e.message;
      fail(message);
    }
    if (e instanceof Error && 'code' in e && (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')) {
      fail(`cannot listen: ${e.code}`);
    }
    fail(`unexpected error (${e instanceof Error ? e.name : 'unknown'})`);
  }
}

await main(process.argv);
