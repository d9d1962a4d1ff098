import { Command, CommanderError } from 'commander';
import { type GlobalOptions, initCommand, listCommand, presentCommand, receiveCommand, showCommand } from './commands/index.js';
import { describeError, EXIT, exitCodeFor } from './errors.js';
import type { CliContext } from './ui/io.js';
import { resolveHome } from './wallet/location.js';

const EPILOG = `
Environment:
  SHOMEI_HOME        wallet directory (default ~/.shomei); --home wins
  SHOMEI_PASSPHRASE  wallet passphrase; without it shomei asks on the terminal
  SHOMEI_TX_CODE     transaction code for \`receive\`; --tx-code wins
  SHOMEI_DEBUG=1     print stack traces of unexpected errors
  NO_COLOR           no colour even on a terminal

Exit codes:
  0  success
  1  failure (network, protocol, wrong passphrase, or the verifier refused)
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
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(run shomei --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (str) => ctx.stdout.write(str),
      writeErr: (str) => ctx.stderr.write(str),
      outputError: (str, write) => write(`shomei: ${str.replace(/^error: /, '')}`),
    });

  const global = (): GlobalOptions => {
    home = resolveHome(program.opts<{ home?: string }>().home, ctx.env);
    return { home };
  };

  program
    .command('init')
    .description('create a new wallet (asks for a passphrase twice on a terminal)')
    .action(async () => {
      exitCode = await initCommand(ctx, global());
    });

  program
    .command('receive')
    .description('receive a credential from an OpenID4VCI credential offer')
    .argument('<offer-uri>', 'openid-credential-offer://?credential_offer=… (or …credential_offer_uri=…)')
    .option('--tx-code <code>', 'transaction code sent to you separately (env SHOMEI_TX_CODE)')
    .option('--json', 'print the result as JSON')
    .action(async (offerUri: string, opts: { txCode?: string; json?: boolean }) => {
      exitCode = await receiveCommand(ctx, global(), offerUri, opts);
    });

  program
    .command('list')
    .description('list the credentials in the wallet')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      exitCode = await listCommand(ctx, global(), opts);
    });

  program
    .command('show')
    .description('show one credential with all its claims')
    .argument('<id>', 'credential id (from shomei list)')
    .option('--json', 'print JSON, including the credential exactly as issued')
    .action(async (id: string, opts: { json?: boolean }) => {
      exitCode = await showCommand(ctx, global(), id, opts);
    });

  program
    .command('present')
    .description('answer an OpenID4VP presentation request, after asking for consent')
    .argument('<request-uri>', 'openid4vp://?client_id=…&request_uri=…')
    .option('--yes', 'consent without asking (the claims shared are still printed)')
    .option('--json', 'print the result as JSON (the consent screen goes to stderr)')
    .action(async (uri: string, opts: { yes?: boolean; json?: boolean }) => {
      exitCode = await presentCommand(ctx, global(), uri, opts);
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
