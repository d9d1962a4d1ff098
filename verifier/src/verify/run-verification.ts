import { type MatchRecord, matchPaths, matchRecord } from '../matching/match.js';
import { prefetchForPresentation } from './prefetch.js';
import type { VerificationSources } from './sources.js';
import { type VerificationResult, type VerifyPresentationOptions, verifyPresentation } from './verify-presentation.js';

/**
 * One check as a caller asks for it: what the presentation must answer and under which policy.
 * The trust settings (algorithms, stale status lists, whether status is required) come from the
 * sources; `staleStatus` and `statusRequired` given here override them for this one check.
 */
export interface VerificationRequest
  extends Pick<
    VerifyPresentationOptions,
    | 'expectedNonce'
    | 'expectedAud'
    | 'requireKeyBinding'
    | 'keyBinding'
    | 'requiredPaths'
    | 'optionalPaths'
    | 'extraClaims'
    | 'minAssurance'
    | 'maxCredentialAgeSeconds'
    | 'profile'
    | 'staleStatus'
    | 'statusRequired'
  > {
  presentation: string;
  /** Match mode: compare the disclosed claims with the business's own record; the result then holds no values. */
  record?: MatchRecord;
}

export interface VerificationRun {
  /** The answer for the caller: in match mode per-field `matches` and no claim values. */
  result: VerificationResult;
  /** The claims the check saw (after minimization, before match mode dropped them): for the evidence record. */
  disclosed: Record<string, unknown>;
}

/**
 * The one verification path of the verifier, for `POST /v1/verify`, the OpenID4VP response and
 * `shomei-verifier verify` alike: loads what the check reads (issuer keys, the status list),
 * verifies from memory under the trust settings, and applies match mode. Like
 * verifyPresentation it never rejects for bad input. `now` is read once the caches are filled.
 */
export async function runVerification(
  sources: VerificationSources & { now: () => Date },
  request: VerificationRequest,
): Promise<VerificationRun> {
  const { presentation, record, staleStatus, statusRequired, ...asked } = request;
  await prefetchForPresentation(sources, presentation);
  const settings = sources.trust.settings?.();
  const result = await verifyPresentation(presentation, {
    ...asked,
    now: sources.now(),
    trust: sources.trust,
    statusLists: sources.statusLists,
    // Data minimization keeps what a match record needs, as it keeps the claims asked for.
    optionalPaths: [...(asked.optionalPaths ?? []), ...(record ? matchPaths(record) : [])],
    allowedAlgs: settings?.allowedAlgs,
    staleStatus: staleStatus ?? settings?.staleStatus,
    statusRequired: statusRequired ?? settings?.statusRequired,
  });
  return { result: record ? toMatchResult(result, record) : result, disclosed: result.disclosed };
}

/** Match mode answers true/false per field of the record; the disclosed values are dropped, valid or not. */
function toMatchResult(result: VerificationResult, record: MatchRecord): VerificationResult {
  return { ...result, disclosed: {}, matches: result.valid ? matchRecord(record, result.disclosed) : {} };
}
