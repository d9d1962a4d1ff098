import type { Command } from 'commander';
import type { GlobalOptions } from '../commands/common.js';
import type { CliContext } from '../ui/io.js';
import { applyDocumentCommand, applyJpkiCommand, applyRelianceCommand, applyStatusCommand } from './commands.js';

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/**
 * `shomei apply …`: prove your identity to a Shomei issuer and receive the credential. Each
 * action returns the exit code through `done`.
 */
export function registerApplyCommands(
  program: Command,
  ctx: CliContext,
  global: () => GlobalOptions,
  done: (exitCode: number) => void,
): void {
  const apply = program
    .command('apply')
    .description('apply to an issuer for an identity credential (JPKI certificate, photo ID + selfie, or an upstream KYC assertion)')
    .addHelpText(
      'after',
      examples([
        'shomei apply jpki --issuer https://issuer.example --cert taro.pem --key taro-key.pem --kana-family ヤマダ --kana-given タロウ --postal-code 100-0001',
        'shomei apply document --issuer https://issuer.example --identity me.json --id-document license.jpg --selfie me.png',
        'SHOMEI_APPLICATION_SECRET=… shomei apply status 0d8c… --issuer https://issuer.example --receive',
      ]),
    );

  apply
    .command('jpki')
    .description('sign the issuer challenge with a JPKI-style signing certificate; approved at once at IAL3, then received into the wallet')
    .requiredOption('--issuer <url>', 'the issuer base URL')
    .requiredOption('--cert <pem>', 'the signing certificate (PEM; intermediates may follow it in the same file)')
    .requiredOption('--key <pem>', "the certificate's private key (PKCS#8 PEM)")
    .requiredOption('--kana-family <kana>', 'family name in katakana (not in the certificate)')
    .requiredOption('--kana-given <kana>', 'given name in katakana (not in the certificate)')
    .requiredOption('--postal-code <code>', 'postal code, 123-4567 (not in the certificate)')
    .option('--phone <number>', 'phone number to include')
    .option('--no-receive', 'print the credential offer and tx_code instead of receiving it')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'shomei apply jpki --issuer http://127.0.0.1:4000 --cert ./test-ca/taro.pem --key ./test-ca/taro-key.pem --kana-family ヤマダ --kana-given タロウ --postal-code 100-0001',
        'shomei apply jpki --issuer http://127.0.0.1:4000 --cert taro.pem --key taro-key.pem --kana-family ヤマダ --kana-given タロウ --postal-code 100-0001 --no-receive --json',
      ]),
    )
    .action(async (opts) => done(await applyJpkiCommand(ctx, global(), opts)));

  apply
    .command('document')
    .description('send your identity record with a photo ID and a selfie (JPEG/PNG) to the operator review queue (IAL2 when approved)')
    .requiredOption('--issuer <url>', 'the issuer base URL')
    .requiredOption('--identity <file>', 'identity record JSON (as on the photo ID)')
    .requiredOption('--id-document <image>', 'photo of the ID document (.jpg/.png)')
    .requiredOption('--selfie <image>', 'a live selfie (.jpg/.png)')
    .option('--json', 'print the application (with its one-time secret) as JSON')
    .addHelpText(
      'after',
      examples(['shomei apply document --issuer http://127.0.0.1:4000 --identity me.json --id-document license.jpg --selfie me.png']),
    )
    .action(async (opts) => done(await applyDocumentCommand(ctx, global(), opts)));

  apply
    .command('reliance')
    .description("hand the issuer a signed assertion from your carrier's or bank's KYC (level capped at the upstream's)")
    .requiredOption('--issuer <url>', 'the issuer base URL')
    .requiredOption('--assertion <file>', 'the kyc-assertion+jwt the upstream gave you')
    .option('--no-receive', 'print the credential offer and tx_code instead of receiving it')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['shomei apply reliance --issuer http://127.0.0.1:4000 --assertion carrier-kyc.jwt']))
    .action(async (opts) => done(await applyRelianceCommand(ctx, global(), opts)));

  apply
    .command('status')
    .description('show where an application stands; with --receive, receive the credential once approved')
    .argument('<id>', 'the application id')
    .requiredOption('--issuer <url>', 'the issuer base URL')
    .option('--secret <secret>', 'the application secret (env SHOMEI_APPLICATION_SECRET keeps it out of the process list)')
    .option('--receive', 'if approved, receive the credential into the wallet')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['SHOMEI_APPLICATION_SECRET=… shomei apply status 0d8c… --issuer http://127.0.0.1:4000 --receive']))
    .action(async (id: string, opts) => done(await applyStatusCommand(ctx, global(), id, opts)));
}
