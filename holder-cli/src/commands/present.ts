import { ShomeiError } from '@shomei/shared';
import { CancelledError, describeError, EXIT, UsageError } from '../errors.js';
import { isLow, refillBatch } from '../oid4vci/receive.js';
import {
  type Candidate,
  declinePresentation,
  type PresentationProposal,
  preparePresentation,
  proposeCandidate,
  sharePresentation,
  type VerifierAnswer,
  withChoices,
} from '../oid4vp/present.js';
import type { VerifiedRequest } from '../oid4vp/request.js';
import { loadVerifierRoots } from '../oid4vp/trust-roots.js';
import { type CliContext, type OutputStream, styleFor } from '../ui/io.js';
import { renderTable } from '../ui/table.js';
import { formatClaim, formatDate, formatPath, formatValue, padEnd, sanitize } from '../ui/text.js';
import type { PresentationOutcome } from '../wallet/history-repository.js';
import type { Wallet } from '../wallet/wallet.js';
import { type GlobalOptions, levelText, printJson, withWallet } from './common.js';

export interface PresentCommandOptions {
  yes?: boolean | undefined;
  json?: boolean | undefined;
  /** Comma-separated claim names (dotted paths) to include; optional claims not named are left out. */
  only?: string | undefined;
  /** The credential to answer with (an id from `shomei list`) when several match. */
  credential?: string | undefined;
  /** PEM file of CA certificates trusted to vouch for certificate-identified verifiers (else SHOMEI_VERIFIER_ROOTS, else <home>/verifier-roots.pem). */
  verifierRoots?: string | undefined;
}

/**
 * `shomei present <request>`: shows who asks, why and exactly which claim values would leave the
 * wallet, lets the person pick the credential and leave out optional claims, asks, then answers
 * the verifier (or tells it the person declined, exit 3). Every answer goes into the history.
 */
export async function presentCommand(ctx: CliContext, global: GlobalOptions, uri: string, options: PresentCommandOptions): Promise<number> {
  const only = parseOnly(options.only);
  // Without a terminal there is nobody to ask: refuse before anything is fetched, rather than
  // decline on the person's behalf and spend the business's request.
  if (!options.yes && !ctx.prompter) {
    throw new UsageError('no terminal to ask for consent: run it in a terminal, or pass --yes to share what is asked (nothing was sent)');
  }
  const verifierRoots = loadVerifierRoots(options.verifierRoots, ctx.env, global.home);
  return withWallet(ctx, global, async (wallet) => {
    const { request, candidates } = await preparePresentation(wallet, uri, { now: ctx.now, verifierRoots, policy: global.outbound });
    // With --json, stdout carries only the JSON result; the consent screen goes to stderr.
    const screen = options.json ? ctx.stderr : ctx.stdout;
    writeRequest(ctx, screen, request);

    let candidate: Candidate;
    let proposal: PresentationProposal;
    try {
      candidate = await chooseCandidate(ctx, screen, candidates, options);
      proposal = await proposeCandidate(request, candidate, { now: ctx.now });
      writeCredential(ctx, screen, proposal);
      if (only) proposal = applyOnly(proposal, only);
      else if (!options.yes && ctx.prompter) proposal = await askOptional(ctx, screen, proposal);
    } catch (e) {
      if (e instanceof CancelledError) return decline(ctx, global, wallet, request, null, options.json === true);
      throw e;
    }
    writeProposal(ctx, screen, proposal);
    const agreed = await askConsent(ctx, screen, proposal, options.yes === true);
    if (!agreed) return decline(ctx, global, wallet, request, proposal, options.json === true);

    let result: Awaited<ReturnType<typeof sharePresentation>>;
    try {
      result = await sharePresentation(wallet, proposal, { now: ctx.now, policy: global.outbound });
    } catch (e) {
      // The claims may have reached the verifier before it failed: the history says so.
      record(wallet, ctx, proposal, 'failed', e instanceof ShomeiError ? e.code : 'error');
      throw e;
    }
    const { presentation, answer } = result;
    const accepted = answer.status === null || answer.status === 'accepted';
    record(wallet, ctx, proposal, accepted ? 'accepted' : 'rejected', answer.status);
    const refill = await topUp(ctx, global, wallet, proposal);
    if (options.json) {
      printJson(ctx, {
        ...summary(proposal.request),
        credential_id: proposal.batch.id,
        copy_id: proposal.credential.id,
        disclosed: proposal.shared.map((l) => l.path),
        left_out: proposal.choices.filter((c) => !c.included).map((c) => c.claim.path),
        presentation,
        response: answer.body,
        copies_left: refill.unused,
      });
    } else {
      ctx.stdout.write(`Shared ${claimCount(proposal.shared.length)} with ${verifierName(proposal.request)}.\n`);
      writeAnswer(ctx.stdout, answer, accepted ? styleFor(ctx.stdout, ctx.env).green : styleFor(ctx.stdout, ctx.env).red);
    }
    if (refill.message) ctx.stderr.write(`${styleFor(ctx.stderr, ctx.env).yellow('note:')} ${refill.message}\n`);
    return accepted ? EXIT.ok : EXIT.failure;
  });
}

function parseOnly(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  return names;
}

/** How the consent question and the result name the verifier: an unverified one is never named bare. */
function verifierName(r: VerifiedRequest): string {
  const name = r.clientName ?? sanitize(r.verifierIdentity.value, 200);
  return r.verifierIdentity.verified ? name : `UNVERIFIED verifier ${name}`;
}

function claimCount(n: number): string {
  return n === 1 ? '1 claim' : `${n} claims`;
}

function summary(r: VerifiedRequest) {
  const id = r.verifierIdentity;
  return {
    verifier: {
      client_id: r.clientId,
      name: r.clientName,
      identified_by: id.prefix,
      identity: id.value,
      verified: id.verified,
      signature_verified: id.kid !== null,
      ...(id.certificate
        ? { certificate: { subject: id.certificate.subject, dns_names: id.certificate.dnsNames, root: id.certificate.root } }
        : {}),
      response_uri: r.responseUri,
    },
    purpose: r.purpose,
  };
}

/** The consent screen's label column: one width for the request and the credential parts. */
function labelled(rows: string[][]): string {
  return renderTable(
    null,
    rows.map(([label, ...rest]) => [padEnd(label ?? '', 'Credential'.length), ...rest]),
  );
}

function writeRequest(ctx: CliContext, out: OutputStream, r: VerifiedRequest): void {
  const s = styleFor(out, ctx.env);
  const id = r.verifierIdentity;
  const name = r.clientName ?? '(no name given)';
  // The display name comes from the request itself: a verified signature proves who sent it (the
  // identifier below), not that the name is theirs to use. No trust source vouches for names today.
  const rows: string[][] = id.verified
    ? [['Verifier', `${name}  ${s.dim('(名前は相手の自己申告・未確認 / name chosen by the verifier itself, not verified)')}`]]
    : [['Verifier', s.red(s.bold(`未確認の相手 / UNVERIFIED verifier: ${name}`))]];
  rows.push(['', sanitize(r.clientId, 300)]);
  for (const line of identityLines(r)) rows.push(['', id.verified ? s.green(line) : s.red(line)]);
  rows.push(['Sends to', sanitize(new URL(r.responseUri).host, 200)]);
  rows.push(['Purpose', r.purpose ?? '(none given)']);
  out.write(labelled(rows));
}

/** What proved (or did not prove) who the verifier is, in the words the person can check. */
function identityLines(r: VerifiedRequest): string[] {
  const id = r.verifierIdentity;
  const cert = id.certificate;
  switch (id.prefix) {
    case 'decentralized_identifier':
      return [`identified by DID ${sanitize(id.value, 200)}: request signature verified with its key`];
    case 'x509_san_dns':
      return [
        `identified by certificate for ${sanitize(id.value, 200)}: request signature and chain verified`,
        `certificate issued under trusted root ${sanitize(cert?.root ?? '?', 200)}`,
      ];
    case 'x509_hash':
      return [
        `identified by certificate hash ${id.value}: request signature and chain verified`,
        `certificate ${sanitize(cert?.subject ?? '?', 200)}${cert && cert.dnsNames.length > 0 ? ` (${sanitize(cert.dnsNames.join(', '), 200)})` : ''}`,
        `issued under trusted root ${sanitize(cert?.root ?? '?', 200)}`,
      ];
    case 'redirect_uri':
      return [
        `identified only by its redirect URI ${sanitize(id.value, 200)}`,
        'the request is not signed: anyone could have sent it, and its name and purpose are unproven',
      ];
  }
}

function candidateLine(c: Candidate): string {
  const r = c.record;
  const copies = c.batch.batchSize > 1 ? `, ${c.batch.unused}/${c.batch.copies.length} fresh copies` : '';
  return `${c.batch.id}  ${r.issuerName ?? r.issuer}, ${levelText(r.assuranceLevel, r.sandbox)}, issued ${formatDate(r.issuedAt)}, expires ${formatDate(r.expiresAt)}${copies}`;
}

async function chooseCandidate(
  ctx: CliContext,
  out: OutputStream,
  candidates: Candidate[],
  options: PresentCommandOptions,
): Promise<Candidate> {
  if (options.credential !== undefined) {
    const wanted = options.credential;
    const found = candidates.find((c) => c.batch.id === wanted || c.batch.copies.some((k) => k.id === wanted));
    if (!found) throw new UsageError(`credential ${sanitize(wanted, 64)} cannot answer this request (see shomei list)`);
    return found;
  }
  const [first] = candidates;
  if (!first) throw new ShomeiError('no_matching_credential', 'no valid credential in this wallet has what the verifier asks for');
  if (candidates.length === 1 || options.yes || !ctx.prompter) return first;
  out.write(`\n${candidates.length} credentials can answer:\n`);
  for (const [i, c] of candidates.entries()) out.write(`  ${i + 1}) ${candidateLine(c)}\n`);
  for (;;) {
    const answer = (await ctx.prompter.line(`Which one? [1-${candidates.length}, Enter = 1] `)).trim();
    if (answer === '') return first;
    const n = Number(answer);
    const picked = Number.isInteger(n) ? candidates[n - 1] : undefined;
    if (picked) return picked;
    out.write(`Type a number from 1 to ${candidates.length}.\n`);
  }
}

function applyOnly(p: PresentationProposal, names: readonly string[]): PresentationProposal {
  const labels = p.choices.map((c) => c.label);
  const unknown = names.filter((n) => !labels.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--only names claims the verifier did not ask for: ${unknown.map((n) => sanitize(n, 64)).join(', ')} (asked: ${labels.join(', ')})`,
    );
  }
  return withChoices(
    p,
    p.choices.map((c) => names.includes(c.label)),
  );
}

async function askOptional(ctx: CliContext, out: OutputStream, p: PresentationProposal): Promise<PresentationProposal> {
  const optional = p.choices.filter((c) => c.claim.optional && c.available);
  if (optional.length === 0 || !ctx.prompter) return p;
  const s = styleFor(out, ctx.env);
  out.write(`\n${s.bold('The verifier marks these claims optional: you may leave them out.')}\n`);
  const included: boolean[] = [];
  for (const c of p.choices) {
    if (!(c.claim.optional && c.available)) {
      included.push(true);
      continue;
    }
    const values = c.leaves.map((l) => formatValue(l.value)).join(', ');
    // Optional means the business can do without it: sharing it takes a yes, Enter leaves it out.
    for (;;) {
      const a = (await ctx.prompter.line(`  Include ${formatClaim(c.claim.path)} (${values})? [y/N] `)).trim().toLowerCase();
      if (a === 'y' || a === 'yes') {
        included.push(true);
        break;
      }
      if (a === '' || a === 'n' || a === 'no') {
        included.push(false);
        break;
      }
    }
  }
  return withChoices(p, included);
}

/** Which credential answers, and a warning when every copy of it has already been shown elsewhere. */
function writeCredential(ctx: CliContext, out: OutputStream, p: PresentationProposal): void {
  const s = styleFor(out, ctx.env);
  const c = p.credential;
  out.write(labelled([['Credential', `${p.batch.id}  ${c.issuerName ?? c.issuer}, ${levelText(c.assuranceLevel, c.sandbox)}`]]));
  if (p.reused) {
    out.write(
      `${s.yellow('warning:')} every copy of this credential has been shown to another verifier; verifiers comparing notes could link these presentations. Ask the issuer for a new offer.\n`,
    );
  }
}

function writeProposal(ctx: CliContext, out: OutputStream, p: PresentationProposal): void {
  const s = styleFor(out, ctx.env);
  out.write('\n');
  if (p.shared.length === 0) {
    out.write('No personal claims will be shared.\n');
  } else {
    out.write(`${s.bold(`Will be shared (${claimCount(p.shared.length)}):`)}\n`);
    const optionalPaths = p.choices
      .filter((ch) => ch.claim.optional && ch.included)
      .flatMap((ch) => ch.leaves.map((l) => formatPath(l.path)));
    out.write(
      renderTable(
        ['CLAIM', 'VALUE'],
        p.shared.map((l) => {
          const name = formatClaim(l.path);
          return [optionalPaths.includes(formatPath(l.path)) ? `${name} (任意 / optional)` : name, formatValue(l.value)];
        }),
        '  ',
      ),
    );
  }
  const left = p.choices.filter((ch) => !ch.included);
  if (left.length > 0) {
    out.write(
      `Left out: ${left.map((ch) => `${formatClaim(ch.claim.path)}${ch.available ? '' : ' (not in this credential)'}`).join(', ')}\n`,
    );
  }
  out.write(s.dim("Always included: the credential's issuer, type, validity, status reference and verification evidence.\n"));
}

async function askConsent(ctx: CliContext, out: OutputStream, p: PresentationProposal, yes: boolean): Promise<boolean> {
  const n = p.shared.length;
  const question = `Share ${n === 1 ? 'this 1 claim' : `these ${n} claims`} with ${verifierName(p.request)}? [y/N] `;
  if (yes) {
    out.write(`${question}yes (--yes)\n`);
    return true;
  }
  if (!ctx.prompter) return false; // refused at the start of presentCommand; never reached
  try {
    const answer = await ctx.prompter.line(question);
    return /^\s*(y|yes)\s*$/i.test(answer);
  } catch (e) {
    if (e instanceof CancelledError) return false;
    throw e;
  }
}

function record(
  wallet: Wallet,
  ctx: CliContext,
  p: PresentationProposal,
  outcome: PresentationOutcome,
  verifierStatus: string | null,
): void {
  const values: Record<string, unknown> = {};
  for (const l of p.shared) values[l.path.join('.')] = l.value;
  wallet.history.add({
    createdAt: ctx.now().toISOString(),
    credentialId: p.credential.id,
    batchId: p.batch.id,
    clientId: p.request.clientId,
    verifierName: p.request.clientName,
    purpose: p.request.purpose,
    outcome,
    verifierStatus,
    claims: p.shared.map((l) => l.path),
    values,
  });
}

/** After a copy is spent: more from the issuer when the batch runs low and it can be refreshed. */
async function topUp(
  ctx: CliContext,
  global: GlobalOptions,
  wallet: Wallet,
  p: PresentationProposal,
): Promise<{ unused: number; message?: string }> {
  const before = wallet.credentials.batch(p.batch.id);
  if (!before || !isLow(before.unused, before.batchSize)) return { unused: before?.unused ?? 0 };
  try {
    const added = await refillBatch(wallet, p.batch.id, { now: ctx.now, policy: global.outbound });
    const after = wallet.credentials.batch(p.batch.id);
    if (added > 0)
      return { unused: after?.unused ?? 0, message: `fetched ${added} fresh copies of credential ${p.batch.id} from the issuer` };
  } catch (e) {
    return { unused: before.unused, message: `could not fetch fresh copies from the issuer: ${describeError(e)}` };
  }
  const left = before.unused;
  return {
    unused: left,
    message: `${left === 1 ? 'only 1 fresh copy' : `${left} fresh copies`} of credential ${p.batch.id} left; ask the issuer for a new offer to keep verifiers from linking you`,
  };
}

async function decline(
  ctx: CliContext,
  global: GlobalOptions,
  wallet: Wallet,
  request: VerifiedRequest,
  p: PresentationProposal | null,
  json: boolean,
): Promise<number> {
  let answer: VerifierAnswer | undefined;
  try {
    answer = await declinePresentation(request, global.outbound);
  } catch (e) {
    ctx.stderr.write(`shomei: the verifier could not be told: ${describeError(e)}\n`);
  }
  wallet.history.add({
    createdAt: ctx.now().toISOString(),
    credentialId: null,
    batchId: p?.batch.id ?? null,
    clientId: request.clientId,
    verifierName: request.clientName,
    purpose: request.purpose,
    outcome: 'declined',
    verifierStatus: answer?.status ?? null,
    claims: [],
    values: {},
  });
  if (json) {
    printJson(ctx, {
      ...summary(request),
      credential_id: p?.batch.id ?? null,
      disclosed: [],
      declined: true,
      response: answer?.body ?? null,
    });
  } else {
    ctx.stdout.write(`Declined: nothing was shared with ${verifierName(request)}.\n`);
  }
  return EXIT.declined;
}

function writeAnswer(out: OutputStream, answer: VerifierAnswer, colour: (s: string) => string): void {
  out.write(`Verifier answered: ${colour(sanitize(answer.status ?? `HTTP ${answer.httpStatus}`, 40))}\n`);
  for (const e of answer.errors) out.write(`  ${sanitize(e.code, 64)}: ${sanitize(e.message, 300)}\n`);
}
