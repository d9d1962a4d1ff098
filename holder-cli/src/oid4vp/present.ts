import { generateEs256KeyPair, httpFetch, type OutboundPolicy, presentSdJwtVc, ShomeiError } from '@shomei/shared';
import { type ClaimLeaf, type ClaimPath, leaves, openCredential, samePath } from '../credential/claims.js';
import { problemFailure } from '../lib/remote-errors.js';
import { formatPath } from '../ui/text.js';
import type { CredentialBatch, CredentialRecord } from '../wallet/credential-repository.js';
import type { HistoryEntry } from '../wallet/history-repository.js';
import type { Wallet } from '../wallet/wallet.js';
import { type LoadRequestOptions, loadPresentationRequest, type VerifiedRequest } from './request.js';
import { matchCredentials, noMatch, type PlannedClaim, type SelectedCredential, unionPaths } from './select.js';

/** A credential (one batch) that can answer the request, with the copy this verifier would get. */
export interface Candidate extends SelectedCredential {
  batch: CredentialBatch;
  /** True when every copy was already shown to other verifiers: this one will be shown again. */
  reused: boolean;
}

/** One requested claim as the consent screen shows it. */
export interface ClaimChoice extends PlannedClaim {
  /** `address.locality`: how the person names it (and how `--only` does). */
  label: string;
  /** The values it would disclose. */
  leaves: ClaimLeaf[];
  included: boolean;
}

/** What the person is asked to agree to: who asks, why, and exactly what would leave the wallet. */
export interface PresentationProposal {
  request: VerifiedRequest;
  credential: CredentialRecord;
  batch: CredentialBatch;
  reused: boolean;
  choices: ClaimChoice[];
  /** Every claim value the presentation discloses, in the order the verifier asked. */
  shared: ClaimLeaf[];
  compact: string;
  paths: ClaimPath[];
}

/** The verifier's answer to a `direct_post`. */
export interface VerifierAnswer {
  httpStatus: number;
  /** The JSON body as received (null when it sent none). */
  body: unknown;
  status: string | null;
  errors: { code: string; message: string }[];
}

/**
 * The copy of a batch to show `clientId`: one it was already shown (nothing new to link), else a
 * copy no verifier has seen, else, when all are spent, the least shown one (`reused`).
 */
export function chooseCopy(
  batch: CredentialBatch,
  clientId: string,
  history: readonly HistoryEntry[],
): { copy: CredentialRecord; reused: boolean } {
  const shownTo = new Map<string, Set<string>>();
  for (const h of history) {
    if (!h.credentialId) continue;
    const set = shownTo.get(h.credentialId) ?? new Set<string>();
    set.add(h.clientId);
    shownTo.set(h.credentialId, set);
  }
  const same = [...history].reverse().find((h) => h.clientId === clientId && batch.copies.some((c) => c.id === h.credentialId));
  const sameCopy = same && batch.copies.find((c) => c.id === same.credentialId);
  if (sameCopy && (shownTo.get(sameCopy.id)?.size ?? 0) === 1) return { copy: sameCopy, reused: false };
  const unused = batch.copies.find((c) => !shownTo.has(c.id));
  if (unused) return { copy: unused, reused: false };
  const least = [...batch.copies].sort((a, b) => (shownTo.get(a.id)?.size ?? 0) - (shownTo.get(b.id)?.size ?? 0))[0];
  if (!least) throw new ShomeiError('internal', 'a credential batch without copies');
  return { copy: least, reused: true };
}

/** Fetches and verifies the request and finds every credential that can answer it (newest first). */
export async function preparePresentation(
  wallet: Wallet,
  uri: string,
  options: LoadRequestOptions,
): Promise<{ request: VerifiedRequest; candidates: Candidate[] }> {
  const request = await loadPresentationRequest(uri, options);
  const history = wallet.history.list();
  const batches = wallet.credentials.batches();
  const picks = new Map(batches.map((b) => [b.id, { batch: b, ...chooseCopy(b, request.clientId, history) }]));
  const { matches, missing } = matchCredentials(
    [...picks.values()].map((p) => p.copy),
    (id) => {
      const compact = wallet.credentials.compact(id);
      if (compact === undefined) throw new ShomeiError('not_found', `credential ${id} disappeared`);
      return compact;
    },
    request.query,
    options.now(),
    request.claimSets,
  );
  if (matches.length === 0) throw noMatch(missing);
  const candidates = matches.map((m) => {
    const pick = picks.get(m.record.batchId);
    if (!pick) throw new ShomeiError('internal', 'a match outside the batches');
    return { ...m, batch: pick.batch, reused: pick.reused };
  });
  return { request, candidates };
}

/**
 * The proposal for one candidate with every available claim included. What the consent screen
 * lists is read back from a real presentation of these paths (a dry run with a throwaway key),
 * not from what we expect the SD-JWT library to do.
 */
export async function proposeCandidate(
  request: VerifiedRequest,
  candidate: Candidate,
  options: { now: () => Date },
): Promise<PresentationProposal> {
  const dryRun = await presentSdJwtVc(candidate.compact, candidate.paths, {
    holderKey: generateEs256KeyPair().privateKey,
    nonce: request.nonce,
    aud: request.clientId,
    iat: options.now(),
  });
  const found = leaves(openCredential(dryRun).disclosed);
  const choices = candidate.items.map((item) => ({
    ...item,
    label: formatPath(item.claim.path),
    leaves: item.paths.flatMap((p) => found.filter((l) => samePath(l.path, p))),
    included: item.available,
  }));
  return withChoices(
    {
      request,
      credential: candidate.record,
      batch: candidate.batch,
      reused: candidate.reused,
      compact: candidate.compact,
      choices,
      shared: [],
      paths: [],
    },
    choices.map((c) => c.included),
  );
}

/**
 * The proposal with optional claims left in or out (`included[i]` for `choices[i]`). Required
 * claims stay in whatever is passed; unavailable ones stay out.
 */
export function withChoices(p: PresentationProposal, included: readonly boolean[]): PresentationProposal {
  const choices = p.choices.map((c, i) => ({ ...c, included: c.available && (!c.claim.optional || included[i] === true) }));
  const on = choices.filter((c) => c.included);
  const paths = unionPaths(on);
  const shared: ClaimLeaf[] = [];
  for (const c of on) for (const l of c.leaves) if (!shared.some((s) => samePath(s.path, l.path))) shared.push(l);
  return { ...p, choices, paths, shared };
}

/**
 * Builds the presentation with the copy's own holder key (key binding: nonce, aud = the full
 * client_id) and posts it to the response_uri. Refuses to send anything that would disclose
 * other claims than the ones the person agreed to.
 */
export async function sharePresentation(
  wallet: Wallet,
  proposal: PresentationProposal,
  options: { now: () => Date; policy?: OutboundPolicy | undefined },
): Promise<{ presentation: string; answer: VerifierAnswer }> {
  const holderKey = await wallet.vault.signingKey(proposal.credential.holderKid);
  const presentation = await presentSdJwtVc(proposal.compact, proposal.paths, {
    holderKey: holderKey.privateKey,
    nonce: proposal.request.nonce,
    aud: proposal.request.clientId,
    iat: options.now(),
  });
  const disclosed = leaves(openCredential(presentation).disclosed);
  const agreed = proposal.shared;
  const same = disclosed.length === agreed.length && disclosed.every((d) => agreed.some((a) => samePath(a.path, d.path)));
  if (!same) throw new ShomeiError('internal', 'the presentation would disclose other claims than the ones agreed to; nothing was sent');
  const vpToken = JSON.stringify({ [proposal.request.query.id]: [presentation] });
  const answer = await postResponse(proposal.request.responseUri, withState({ vp_token: vpToken }, proposal.request.state), options.policy);
  return { presentation, answer };
}

/** Tells the verifier the person refused (OpenID4VP §8.5: `access_denied`). */
export async function declinePresentation(
  request: Pick<VerifiedRequest, 'responseUri' | 'state'>,
  policy?: OutboundPolicy,
): Promise<VerifierAnswer> {
  return postResponse(
    request.responseUri,
    withState({ error: 'access_denied', error_description: 'the holder declined to share the requested claims' }, request.state),
    policy,
  );
}

/** The response form, with `state` only when the request had one (OpenID4VP 1.0 §5.2, §8.2). */
function withState(fields: Record<string, string>, state: string | null): URLSearchParams {
  return new URLSearchParams(state === null ? fields : { ...fields, state });
}

async function postResponse(responseUri: string, form: URLSearchParams, policy: OutboundPolicy | undefined): Promise<VerifierAnswer> {
  const res = await httpFetch(responseUri, { method: 'POST', body: form, headers: { accept: 'application/json' }, policy });
  if (res.status !== 200) throw problemFailure(res, 'the verifier');
  let body: unknown = null;
  if (res.body.trim() !== '') {
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new ShomeiError('upstream_unavailable', "the verifier's answer is not JSON");
    }
  }
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const errors = Array.isArray(b.errors)
    ? b.errors
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
        .map((e) => ({ code: String(e.code ?? ''), message: String(e.message ?? '') }))
    : [];
  return { httpStatus: res.status, body, status: typeof b.status === 'string' ? b.status : null, errors };
}
