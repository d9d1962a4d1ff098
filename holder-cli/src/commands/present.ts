import { CancelledError, describeError, EXIT } from '../errors.js';
import {
  declinePresentation,
  type PresentationProposal,
  preparePresentation,
  sharePresentation,
  type VerifierAnswer,
} from '../oid4vp/present.js';
import { type CliContext, type OutputStream, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatPath, formatValue, sanitize } from '../ui/text.js';
import { type GlobalOptions, levelText, printJson, withWallet } from './common.js';

export interface PresentCommandOptions {
  yes?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * `shomei present <openid4vp-uri>`: shows who asks, why and exactly which claim values would
 * leave the wallet, asks, then answers the verifier (or tells it the person declined, exit 3).
 */
export async function presentCommand(ctx: CliContext, global: GlobalOptions, uri: string, options: PresentCommandOptions): Promise<number> {
  return withWallet(ctx, global, async (wallet) => {
    const proposal = await preparePresentation(wallet, uri, { now: ctx.now });
    // With --json, stdout carries only the JSON result; the consent screen goes to stderr.
    const screen = options.json ? ctx.stderr : ctx.stdout;
    writeConsentScreen(ctx, screen, proposal);
    const agreed = await askConsent(ctx, screen, proposal, options.yes === true);
    if (!agreed) return decline(ctx, proposal, options.json === true);

    const { presentation, answer } = await sharePresentation(wallet, proposal, { now: ctx.now });
    const accepted = answer.status === null || answer.status === 'accepted';
    if (options.json) {
      printJson(ctx, { ...summary(proposal), disclosed: proposal.shared.map((l) => l.path), presentation, response: answer.body });
    } else {
      const s = styleFor(ctx.stdout, ctx.env);
      ctx.stdout.write(`Shared ${claimCount(proposal.shared.length)} with ${verifierName(proposal)}.\n`);
      writeAnswer(ctx.stdout, answer, accepted ? s.green : s.red);
    }
    return accepted ? EXIT.ok : EXIT.failure;
  });
}

function verifierName(p: PresentationProposal): string {
  return p.request.clientName ?? p.request.did;
}

function claimCount(n: number): string {
  return n === 1 ? '1 claim' : `${n} claims`;
}

function summary(p: PresentationProposal) {
  return {
    verifier: { client_id: p.request.clientId, name: p.request.clientName, signature_verified: true },
    purpose: p.request.purpose,
    credential_id: p.credential.id,
  };
}

function writeConsentScreen(ctx: CliContext, out: OutputStream, p: PresentationProposal): void {
  const s = styleFor(out, ctx.env);
  const c = p.credential;
  out.write(
    renderTable(null, [
      ['Verifier', p.request.clientName ?? '(no name given)'],
      ['', p.request.clientId],
      ['', s.green('request signature verified')],
      ['Purpose', p.request.purpose ?? '(none given)'],
      ['Credential', `${c.id}  ${c.issuerName ?? c.issuer}, ${levelText(c.assuranceLevel, c.sandbox)}`],
    ]),
  );
  out.write('\n');
  if (p.shared.length === 0) {
    out.write('No personal claims will be shared.\n');
  } else {
    out.write(`${s.bold(`Will be shared (${claimCount(p.shared.length)}):`)}\n`);
    out.write(
      renderTable(
        ['CLAIM', 'VALUE'],
        p.shared.map((l) => [formatPath(l.path), formatValue(l.value)]),
        '  ',
      ),
    );
  }
  out.write(s.dim("Always included: the credential's issuer, type, validity, status reference and verification evidence.\n"));
}

async function askConsent(ctx: CliContext, out: OutputStream, p: PresentationProposal, yes: boolean): Promise<boolean> {
  const n = p.shared.length;
  const question = `Share ${n === 1 ? 'this 1 claim' : `these ${n} claims`} with ${verifierName(p)}? [y/N] `;
  if (yes) {
    out.write(`${question}yes (--yes)\n`);
    return true;
  }
  if (!ctx.prompter) {
    ctx.stderr.write('shomei: no terminal to ask for consent and --yes not given: declining\n');
    return false;
  }
  try {
    const answer = await ctx.prompter.line(question);
    return /^\s*(y|yes)\s*$/i.test(answer);
  } catch (e) {
    if (e instanceof CancelledError) return false;
    throw e;
  }
}

async function decline(ctx: CliContext, p: PresentationProposal, json: boolean): Promise<number> {
  let answer: VerifierAnswer | undefined;
  try {
    answer = await declinePresentation(p);
  } catch (e) {
    ctx.stderr.write(`shomei: the verifier could not be told: ${describeError(e)}\n`);
  }
  if (json) {
    printJson(ctx, { ...summary(p), disclosed: [], declined: true, response: answer?.body ?? null });
  } else {
    ctx.stdout.write(`Declined: nothing was shared with ${verifierName(p)}.\n`);
  }
  return EXIT.declined;
}

function writeAnswer(out: OutputStream, answer: VerifierAnswer, colour: (s: string) => string): void {
  out.write(`Verifier answered: ${colour(sanitize(answer.status ?? `HTTP ${answer.httpStatus}`, 40))}\n`);
  for (const e of answer.errors) out.write(`  ${sanitize(e.code, 64)}: ${sanitize(e.message, 300)}\n`);
}
