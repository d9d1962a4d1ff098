import { type DidDocument, generateEs256KeyPair, httpFetch, presentSdJwtVc, ShomeiError } from '@shomei/shared';
import { type ClaimLeaf, type ClaimPath, leaves, openCredential, samePath } from '../credential/claims.js';
import { problemFailure } from '../lib/remote-errors.js';
import type { CredentialRecord } from '../wallet/credential-repository.js';
import type { Wallet } from '../wallet/wallet.js';
import { loadPresentationRequest, type VerifiedRequest } from './request.js';
import { selectCredential } from './select.js';

/** What the person is asked to agree to: who asks, why, and exactly what would leave the wallet. */
export interface PresentationProposal {
  request: VerifiedRequest;
  credential: CredentialRecord;
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

/** Fetches and verifies the request, picks a credential and works out what would be disclosed. */
export async function preparePresentation(
  wallet: Wallet,
  uri: string,
  options: { now: () => Date; resolveDid?: (did: string) => Promise<DidDocument> },
): Promise<PresentationProposal> {
  const request = await loadPresentationRequest(uri, options);
  const selected = selectCredential(
    wallet.credentials.list(),
    (id) => {
      const compact = wallet.credentials.compact(id);
      if (compact === undefined) throw new ShomeiError('not_found', `credential ${id} disappeared`);
      return compact;
    },
    request.query,
    options.now(),
  );
  // A dry run with a throwaway key: what the consent screen lists is read back from a real
  // presentation of these paths, not from what we expect the SD-JWT library to do.
  const dryRun = await presentSdJwtVc(selected.compact, selected.paths, {
    holderKey: generateEs256KeyPair().privateKey,
    nonce: request.nonce,
    aud: request.clientId,
    iat: options.now(),
  });
  return {
    request,
    credential: selected.record,
    shared: sortByRequest(leaves(openCredential(dryRun).disclosed), selected.paths),
    compact: selected.compact,
    paths: selected.paths,
  };
}

/**
 * Builds the presentation with the credential's holder key (key binding: nonce, aud = the full
 * client_id) and posts it to the response_uri. Refuses to send anything that would disclose
 * other claims than the ones the person agreed to.
 */
export async function sharePresentation(
  wallet: Wallet,
  proposal: PresentationProposal,
  options: { now: () => Date },
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
  const answer = await postResponse(
    proposal.request.responseUri,
    new URLSearchParams({ vp_token: vpToken, state: proposal.request.state }),
  );
  return { presentation, answer };
}

/** Tells the verifier the person refused (OpenID4VP §8.5: `access_denied`). */
export async function declinePresentation(proposal: PresentationProposal): Promise<VerifierAnswer> {
  return postResponse(
    proposal.request.responseUri,
    new URLSearchParams({
      error: 'access_denied',
      error_description: 'the holder declined to share the requested claims',
      state: proposal.request.state,
    }),
  );
}

async function postResponse(responseUri: string, form: URLSearchParams): Promise<VerifierAnswer> {
  const res = await httpFetch(responseUri, { method: 'POST', body: form, headers: { accept: 'application/json' } });
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

function sortByRequest(found: ClaimLeaf[], order: readonly ClaimPath[]): ClaimLeaf[] {
  const rank = (l: ClaimLeaf) => {
    const i = order.findIndex((p) => samePath(p, l.path));
    return i === -1 ? order.length : i;
  };
  return [...found].sort((a, b) => rank(a) - rank(b));
}
