import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ALLOW_PRIVATE_NETWORK_ENV, defaultOutboundPolicy, isShomeiError, KeyVault, loadVaultSecret, ShomeiError } from '@shomei/shared';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createClient } from './clients/api-keys.js';
import { registerAnchor } from './commands/anchor.js';
import { registerClientKeyCommands } from './commands/client-keys.js';
import { databaseOption, openStoreFrom } from './commands/database-option.js';
import { EXIT, registerVerify } from './commands/verify.js';
import { consoleLogger, stackFrames } from './log.js';
import { webhookSecretAad } from './oid4vp/responses.js';
import { type RunningVerifier, startVerifier } from './serve.js';
import { statusCacheBoundsFromEnv } from './status/cache-settings.js';
import { checkWebhookUrl, newWebhookSecret } from './webhooks/webhooks.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const DEFAULT_DATA = './.data/verifier';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('must be a port number 0-65535 (0 lets the OS pick)');
  return port;
}

function readSecret(secretFile: string | undefined): { secret: string; source: string } {
  return loadVaultSecret({
    secretFile,
    envName: 'SHOMEI_VERIFIER_SECRET',
    env: process.env,
    purpose: 'it encrypts the signing key at rest',
    fail: (message) => new ShomeiError('invalid_request', message),
  });
}

const dataOption = () => new Option('--data <dir>', 'data directory (holds verifier.db)').env('SHOMEI_VERIFIER_DATA').default(DEFAULT_DATA);

const program = new Command('shomei-verifier')
  .description('Shomei verifier: businesses ask for exactly the identity claims they need, wallets answer over OpenID4VP.')
  .version(version)
  // A usage error is one line and a pointer, exit 2 (the whole help buried the mistake).
  .showHelpAfterError('(run shomei-verifier --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
Examples:
  shomei-verifier client create --name "Example Liquor Store"
  shomei-verifier client rotate-key <client-id>
  shomei-verifier client revoke <client-id>
  SHOMEI_VERIFIER_SECRET=… shomei-verifier serve --trust trust.json
  shomei-verifier serve --port 0 --secret-file /run/secrets/verifier --public-url https://verify.example.jp
  shomei-verifier verify presentation.txt --issuer-key issuer.jwk.json --nonce n-1 --aud did:web:shop.example
  shomei-verifier anchor issue --dir ./anchor --subject did:web:kyc.example --max-assurance IAL2`,
  );

program
  .command('serve')
  .description('run the verifier HTTP service')
  .addOption(new Option('--host <host>', 'interface to listen on').env('SHOMEI_VERIFIER_HOST').default('127.0.0.1'))
  .addOption(
    new Option('--port <port>', 'port to listen on (0: the OS picks)').env('SHOMEI_VERIFIER_PORT').default(5000).argParser(parsePort),
  )
  .addOption(dataOption())
  .addOption(databaseOption())
  .addOption(
    new Option('--public-url <url>', 'base URL wallets and businesses use (default http://<host>:<port>)').env(
      'SHOMEI_VERIFIER_PUBLIC_URL',
    ),
  )
  .addOption(
    new Option(
      '--trust <file>',
      'trust configuration JSON: {"issuers":[{"iss","keys"?,"vcts"?,"max_assurance"?}],"anchors"?:[{"did"}],"algorithms"?,"status"?:{"stale"}} (reloaded on change)',
    ).env('SHOMEI_VERIFIER_TRUST'),
  )
  .option('--secret-file <file>', 'file holding the vault secret (default: env SHOMEI_VERIFIER_SECRET)')
  .option(
    '--allow-private-network',
    'let issuer, accreditation, status-list and webhook fetches reach loopback and private addresses (development; env SHOMEI_ALLOW_PRIVATE_NETWORK=1)',
  )
  .addHelpText(
    'after',
    `
The vault secret (env SHOMEI_VERIFIER_SECRET or --secret-file) encrypts the request-signing key at rest;
the service refuses to start without it. Prints its configuration, then one line
"shomei-verifier listening on <url>". SIGINT/SIGTERM stop it cleanly.

Examples:
  SHOMEI_VERIFIER_SECRET=change-me shomei-verifier serve --trust trust.json
  shomei-verifier serve --host 127.0.0.1 --port 0 --data /tmp/verifier --secret-file secret.txt
  trust.json: {"issuers":[{"iss":"http://127.0.0.1:4000"}]}`,
  )
  .action(
    async (opts: {
      host: string;
      port: number;
      data: string;
      database?: string;
      publicUrl?: string;
      trust?: string;
      secretFile?: string;
      allowPrivateNetwork?: boolean;
    }) => {
      // The flag is a spelling of the named setting, which every outbound fetch of this process reads.
      if (opts.allowPrivateNetwork) process.env[ALLOW_PRIVATE_NETWORK_ENV] = '1';
      const { secret, source } = readSecret(opts.secretFile);
      if (opts.publicUrl !== undefined && !URL.canParse(opts.publicUrl))
        throw new ShomeiError('invalid_request', '--public-url is not a URL');
      const running = await startVerifier({
        host: opts.host,
        port: opts.port,
        dataDir: opts.data,
        database: opts.database,
        publicUrl: opts.publicUrl,
        trustFile: opts.trust,
        secret,
        log: consoleLogger,
        ...claimTimeoutFromEnv(process.env.SHOMEI_VERIFIER_CLAIM_TIMEOUT_SECONDS),
        statusCache: statusCacheBoundsFromEnv(process.env),
      });
      printConfig(running, opts.trust, source);
      console.log(`shomei-verifier listening on ${running.url}`);
      running.startBackgroundRefresh();
      const stop = (signal: string) => {
        consoleLogger.info(`shomei-verifier: ${signal}, shutting down`);
        const force = setTimeout(() => process.exit(0), 5000);
        force.unref();
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
  );

function printConfig(running: RunningVerifier, trustFile: string | undefined, secretSource: string): void {
  const issuers = running.trust.issuers();
  const policy = running.statusLists.policy;
  const trust = running.trustService.current;
  const settings = running.trustService.settings();
  const lines = [
    `shomei-verifier ${version}`,
    `  public url    ${running.publicUrl}`,
    `  front desk    ${running.publicUrl}/`,
    `  client id     ${running.clientId}`,
    `  did document  ${running.publicUrl}/.well-known/did.json`,
    `  database      ${running.databaseFile}`,
    `  trust         ${trustFile ? `${resolve(trustFile)} (reloaded when it changes)` : '(none: every credential fails untrusted_issuer)'}`,
    ...issuers.map(
      (i) =>
        `    issuer      ${i.iss} (${i.pinnedKeys} pinned key(s)${i.discover ? ', discovery via jwt-vc-issuer' : ''}; up to ${i.maxAssurance}; ${i.vcts.join(', ')})`,
    ),
    ...(trust.anchors ?? []).map(
      (a) => `    anchor      ${a.name ? `${a.name} ` : ''}${a.did.slice(0, 48)}… (accredited issuers accepted)`,
    ),
    `  algorithms    ${settings.allowedAlgs.join(', ')} (none and HMAC never)`,
    `  requests      expire after ${running.requestTtlSeconds} s; one response each`,
    `  status lists  refreshed in the background by ttl (default ${policy.defaultTtlSeconds} s); stale after ttl + ${settings.staleAfterSeconds} s: ${settings.staleStatus === 'accept' ? 'accepted with a status_stale warning' : 'rejected (status_unavailable)'}; never used past exp or ${policy.staleGraceSeconds} s`,
    `  status cache  at most ${running.statusLists.bounds.maxLists} lists and ${running.statusLists.bounds.maxTotalBytes / 1048576} MiB inflated (least recently used dropped first)`,
    '  evidence      one record per verification; purged hourly by each business retention',
    `  outbound      https to public addresses only, no redirects${defaultOutboundPolicy().allowPrivateNetwork ? `; loopback and private addresses too (${ALLOW_PRIVATE_NETWORK_ENV}, development)` : ''}`,
    `  vault secret  from ${secretSource} (not shown)`,
  ];
  console.log(lines.join('\n'));
}

const client = program.command('client').description('manage business clients and their API keys');

client
  .command('create')
  .description('create a business client and print its API key (shown once)')
  .requiredOption('--name <name>', 'business name, shown to people in the consent step')
  .addOption(dataOption())
  .addOption(databaseOption())
  .option('--webhook <url>', 'POST a signed (HMAC-SHA256) event here when a request completes; needs the vault secret')
  .option('--retention-days <n>', 'keep evidence records (and request results) this many days', parseDays, 90)
  .option('--keep-values', 'evidence records keep the disclosed claim values (sealed); default: claim names only')
  .option('--secret-file <file>', 'vault secret file (default: env SHOMEI_VERIFIER_SECRET); needed with --webhook')
  .option('--json', 'print {"id","name","api_key"[, "webhook_secret"]} as JSON')
  .addHelpText(
    'after',
    `
The API key (and the webhook secret) are shown once; only the key's hash is stored, the webhook
secret is sealed under the vault key. Webhooks carry "shomei-signature: t=<unix>,v1=<hex HMAC of
"<t>.<body>">".

Examples:
  shomei-verifier client create --name "Example Liquor Store" --data ./.data/verifier
  shomei-verifier client create --name Shop --webhook https://shop.example/hooks/shomei --retention-days 30 --json`,
  )
  .action(
    async (opts: {
      name: string;
      data: string;
      webhook?: string;
      retentionDays: number;
      keepValues?: boolean;
      secretFile?: string;
      json?: boolean;
    }) => {
      // Everything that can fail is checked before the client exists.
      const url = opts.webhook === undefined ? undefined : checkWebhookUrl(opts.webhook);
      const secret = url === undefined ? undefined : readSecret(opts.secretFile).secret;
      const store = await openStoreFrom(opts);
      try {
        const vault = secret === undefined ? undefined : await KeyVault.open(store.vault, secret);
        const { client: created, apiKey } = await createClient(store.clients, opts.name, new Date());
        await store.clients.update(created.id, { retentionDays: opts.retentionDays, keepValues: opts.keepValues === true });
        let webhookSecret: string | undefined;
        if (url !== undefined && vault) {
          webhookSecret = newWebhookSecret();
          await store.clients.update(created.id, {
            webhookUrl: url,
            sealedWebhookSecret: vault.seal(webhookSecret, webhookSecretAad(created.id)),
          });
        }
        if (opts.json) {
          console.log(
            JSON.stringify({
              id: created.id,
              name: created.name,
              api_key: apiKey,
              ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
            }),
          );
        } else {
          console.log(
            `Created client "${created.name}" (id ${created.id}); evidence kept ${opts.retentionDays} days${opts.keepValues ? ' with claim values' : ', claim names only'}.`,
          );
          console.log('API key (shown only once; store it securely, send it as "Authorization: Bearer <key>"):');
          console.log(apiKey);
          if (webhookSecret) console.log(`Webhook signing secret (shown only once):\n${webhookSecret}`);
        }
      } finally {
        await store.close();
      }
    },
  );

client
  .command('list')
  .description('list business clients (never their keys)')
  .addOption(dataOption())
  .addOption(databaseOption())
  .option('--json', 'print a JSON array')
  .action(async (opts: { data: string; json?: boolean }) => {
    const store = await openStoreFrom(opts);
    try {
      const clients = (await store.clients.list()).map((c) => ({
        id: c.id,
        name: c.name,
        created_at: new Date(c.createdAt).toISOString(),
        ...(c.keyRotatedAt != null ? { key_rotated_at: new Date(c.keyRotatedAt).toISOString() } : {}),
        ...(c.revokedAt != null ? { revoked_at: new Date(c.revokedAt).toISOString() } : {}),
      }));
      if (opts.json) console.log(JSON.stringify(clients));
      else if (clients.length === 0) console.log('No clients yet. Create one: shomei-verifier client create --name <name>');
      else for (const c of clients) console.log(`${c.id}  ${c.created_at}  ${c.name}${c.revoked_at ? `  (revoked ${c.revoked_at})` : ''}`);
    } finally {
      await store.close();
    }
  });

registerClientKeyCommands(client, dataOption);

program
  .command('purge')
  .description("delete evidence records and request results past each business's retention (serve also runs this hourly)")
  .addOption(dataOption())
  .addOption(databaseOption())
  .option('--json', 'print the counts as JSON')
  .addHelpText('after', '\nExample:\n  shomei-verifier purge --data ./.data/verifier')
  .action(async (opts: { data: string; json?: boolean }) => {
    const store = await openStoreFrom(opts);
    try {
      const done = await store.evidence.purge(Date.now());
      if (opts.json) console.log(JSON.stringify(done));
      else console.log(`Purged ${done.evidence} evidence record(s) and ${done.requestResults} request result(s).`);
    } finally {
      await store.close();
    }
  });

registerVerify(program);
registerAnchor(program);

function parseDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 3650) throw new InvalidArgumentError('must be 1-3650 days');
  return Number(value);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error.
    process.exit(e.exitCode === 0 ? 0 : EXIT.usage);
  }
  if (isShomeiError(e) && e.details?.usage) {
    console.error(`shomei-verifier: ${e.message}`);
    process.exit(EXIT.usage);
  }
  // Node system errors (EADDRINUSE, EACCES…) name a port or path, nothing secret; other messages may echo input.
  const system = e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'syscall' in e;
  console.error(`shomei-verifier: ${isShomeiError(e) || system ? (e as Error).message : 'unexpected error'}`);
  if (!isShomeiError(e) && !system) console.error(stackFrames(e));
  process.exitCode = 1;
}

/** SHOMEI_VERIFIER_CLAIM_TIMEOUT_SECONDS: after how long a claim left by a crashed process is taken over (default 30). */
function claimTimeoutFromEnv(value: string | undefined): { claimTimeoutSeconds?: number } {
  if (value === undefined || value === '') return {};
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1)
    throw new ShomeiError('invalid_request', 'SHOMEI_VERIFIER_CLAIM_TIMEOUT_SECONDS must be a number of seconds >= 1');
  return { claimTimeoutSeconds: seconds };
}
