import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerApplyCommands } from './apply/register.js';
import {
  exportCommand,
  type GlobalOptions,
  historyCommand,
  importCommand,
  initCommand,
  listCommand,
  passphraseChangeCommand,
  presentCommand,
  receiveCommand,
  showCommand,
} from './commands/index.js';
import { describeError, EXIT, exitCodeFor, hintFor } from './errors.js';
import { walletOutboundPolicy } from './lib/outbound.js';
import type { CliContext } from './ui/io.js';
import { resolveHome } from './wallet/location.js';

const { version: VERSION } = createRequire(import.meta.url)('../package.json') as { version: string };

const EPILOG = `
Environment:
  SHOMEI_HOME        wallet directory (default ~/.shomei); --home wins
  SHOMEI_PASSPHRASE  wallet passphrase; without it shomei asks on the terminal
  SHOMEI_TX_CODE     transaction code for \`receive\`; --tx-code wins
  SHOMEI_VERIFIER_ROOTS  PEM file of CAs trusted to vouch for certificate-identified verifiers
                     (x509_san_dns, x509_hash) in \`present\`; --verifier-roots wins
  SHOMEI_NEW_PASSPHRASE     new passphrase for \`passphrase change\`
  SHOMEI_BACKUP_PASSPHRASE  passphrase of the backup for \`export\` and \`import\`
  SHOMEI_ALLOW_PRIVATE_NETWORK=1  offers and requests may reach loopback and private addresses
                     (development; each such fetch is named on stderr); --allow-private-network too
  SHOMEI_DEBUG=1     print stack traces of unexpected errors
  NO_COLOR           no colour even on a terminal

Exit codes:
  0  success
  1  failure (network, protocol, wrong passphrase, nothing matching, or the verifier refused)
  2  usage error (bad arguments, or a needed input that cannot be asked for)
  3  consent declined (the verifier was told)
`;

/**
 * Runs `shomei` with `argv` (without the node and script paths) and returns the exit code.
 * Never throws and never calls process.exit, so tests and other programs can drive it in-process.
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let exitCode: number = EXIT.ok;
  let home: string | undefined;
  const program = new Command('shomei')
    .description('Shomei wallet: keep identity credentials and share only what each verifier needs.')
    .option('--home <dir>', 'wallet directory (env SHOMEI_HOME, default ~/.shomei)')
    .option(
      '--allow-private-network',
      'let offers and requests reach loopback and private addresses, for development (env SHOMEI_ALLOW_PRIVATE_NETWORK=1)',
    )
    .version(VERSION, '--version', 'print the version of shomei')
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(run shomei --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (str) => ctx.stdout.write(str),
      writeErr: (str) => ctx.stderr.write(str),
      outputError: (str, write) => write(`shomei: ${str.replace(/^error: /, '')}`),
    });

  const global = (): GlobalOptions => {
    const opts = program.opts<{ home?: string; allowPrivateNetwork?: boolean }>();
    home = resolveHome(opts.home, ctx.env);
    return { home, outbound: walletOutboundPolicy(ctx.env, opts.allowPrivateNetwork === true, ctx.stderr) };
  };

  const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

  program
    .command('init')
    .description('create a new wallet (asks for a passphrase twice on a terminal)')
    .addHelpText('after', examples(['shomei init', "SHOMEI_HOME=/tmp/w SHOMEI_PASSPHRASE='a long passphrase' shomei init"]))
    .action(async () => {
      exitCode = await initCommand(ctx, global());
    });

  program
    .command('receive')
    .description('receive a credential from an OpenID4VCI credential offer (several copies when the issuer offers batches)')
    .argument('<offer-uri>', 'openid-credential-offer://?credential_offer=… (or …credential_offer_uri=…)')
    .option('--tx-code <code>', 'transaction code sent to you separately (env SHOMEI_TX_CODE)')
    .option('--copies <n>', 'copies to ask for when the issuer offers batch issuance (default 10, capped by its batch_size)', parseCount)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(["shomei receive 'openid-credential-offer://?credential_offer=…' --tx-code 123456"]))
    .action(async (offerUri: string, opts: { txCode?: string; copies?: number; json?: boolean }) => {
      exitCode = await receiveCommand(ctx, global(), offerUri, opts);
    });

  program
    .command('list')
    .description("list the credentials in the wallet with their live status (read from each issuer's status list)")
    .option('--offline', 'do not contact issuers (status shows as "not checked")')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['shomei list', 'shomei list --offline --json']))
    .action(async (opts: { json?: boolean; offline?: boolean }) => {
      exitCode = await listCommand(ctx, global(), opts);
    });

  program
    .command('show')
    .description('show one credential with all its claims and its live status')
    .argument('<id>', 'credential id (from shomei list)')
    .option('--offline', 'do not contact the issuer for the status')
    .option('--json', 'print JSON, including the credential exactly as issued')
    .addHelpText('after', examples(['shomei show 3f9a0c12', 'shomei show 3f9a0c12 --json']))
    .action(async (id: string, opts: { json?: boolean; offline?: boolean }) => {
      exitCode = await showCommand(ctx, global(), id, opts);
    });

  program
    .command('present')
    .description('answer an OpenID4VP presentation request, after asking for consent')
    .argument('<request>', 'openid4vp://?client_id=…&request_uri=…, or an https request URI (the text under the QR code)')
    .option('--yes', 'consent without asking (the claims shared are still printed); without a terminal it is required')
    .option('--only <claims>', 'comma-separated claims to share, e.g. family_name,address.locality; optional claims not named are left out')
    .option('--credential <id>', 'the credential to answer with when several match (an id from shomei list)')
    .option('--json', 'print the result as JSON (the consent screen goes to stderr)')
    .option(
      '--verifier-roots <file>',
      'PEM file of CA certificates trusted to vouch for certificate-identified verifiers (env SHOMEI_VERIFIER_ROOTS, default <home>/verifier-roots.pem)',
    )
    .addHelpText(
      'after',
      examples([
        "shomei present 'openid4vp://?client_id=…&request_uri=…'",
        "shomei present 'https://verifier.example/oid4vp/requests/abc' --yes --only family_name,birthdate",
      ]),
    )
    .action(async (uri: string, opts: { yes?: boolean; json?: boolean; only?: string; credential?: string; verifierRoots?: string }) => {
      exitCode = await presentCommand(ctx, global(), uri, opts);
    });

  program
    .command('history')
    .description('what was shared, with whom, when and for what purpose (claim names; values with --values)')
    .option('--values', 'also show the values that were shared')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['shomei history', 'shomei history --values --json']))
    .action(async (opts: { json?: boolean; values?: boolean }) => {
      exitCode = await historyCommand(ctx, global(), opts);
    });

  program
    .command('passphrase')
    .description('manage the wallet passphrase')
    .command('change')
    .description('re-encrypt the wallet under a new passphrase (env SHOMEI_NEW_PASSPHRASE, or asked twice)')
    .addHelpText(
      'after',
      examples(['shomei passphrase change', "SHOMEI_PASSPHRASE=old SHOMEI_NEW_PASSPHRASE='new one' shomei passphrase change"]),
    )
    .action(async () => {
      exitCode = await passphraseChangeCommand(ctx, global());
    });

  program
    .command('export')
    .description('write an encrypted backup of the whole wallet (keys, credentials, history)')
    .argument('<file>', 'where to write the backup (refuses to overwrite without --force)')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(['shomei export ~/shomei-backup.json', "SHOMEI_BACKUP_PASSPHRASE='backup secret' shomei export backup.json"]),
    )
    .action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
      exitCode = await exportCommand(ctx, global(), file, opts);
    });

  program
    .command('import')
    .description('restore a backup made by shomei export (creates the wallet if there is none; merges otherwise)')
    .argument('<file>', 'the backup file')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['shomei --home ~/.shomei import ~/shomei-backup.json']))
    .action(async (file: string, opts: { json?: boolean }) => {
      exitCode = await importCommand(ctx, global(), file, opts);
    });

  registerApplyCommands(program, ctx, global, (code) => {
    exitCode = code;
  });

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      return done && error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.stderr.write(`shomei: ${describeError(error, home)}\n`);
    const hint = hintFor(error);
    if (hint) ctx.stderr.write(`  hint: ${hint}\n`);
    if (ctx.env.SHOMEI_DEBUG === '1' && error instanceof Error) ctx.stderr.write(`${error.stack ?? ''}\n${causeChain(error)}`);
    return exitCodeFor(error);
  }
}

function causeChain(error: Error): string {
  let out = '';
  let cause = error.cause;
  while (cause instanceof Error) {
    out += `caused by: ${cause.stack ?? cause.message}\n`;
    cause = cause.cause;
  }
  return out;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('a whole number from 1 to 100');
  return n;
}
