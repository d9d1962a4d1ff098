import {
  ASSURANCE_LEVELS,
  type AssuranceLevel,
  type ErrorCode,
  IDENTITY_VCT,
  isShomeiError,
  type JwsAlg,
  STATUS,
  type VerifiedSdJwtVc,
  verifySdJwtVc,
} from '@shomei/shared';
import type { StatusListLookup } from '../status/status-list-cache.js';
import type { IssuerKeyResolver } from '../trust/trust-store.js';
import { disclosedClaims, isPathDisclosed } from './disclosed.js';

export type CredentialStatus = 'valid' | 'revoked' | 'suspended' | 'unknown';

export interface VerificationError {
  code: ErrorCode;
  message: string;
}

export interface VerificationResult {
  valid: boolean;
  errors: VerificationError[];
  /** Verified facts only: null when the issuer's signature was not verified. */
  issuer: string | null;
  vct: string | null;
  assurance_level: AssuranceLevel | null;
  /** Claims from presented disclosures only; empty unless the credential verified. */
  disclosed: Record<string, unknown>;
  status: CredentialStatus;
  checked_at: string;
  key_binding: 'verified' | 'absent';
  sandbox?: true;
}

export interface VerifyPresentationOptions {
  now: Date;
  /** Trusted issuer keys (in memory; see TrustStore). */
  trust: IssuerKeyResolver;
  /** Cached status lists (in memory; see StatusListCache). */
  statusLists: StatusListLookup;
  /** The request nonce and the verifier's client_id, which the key-binding JWT must carry. */
  expectedNonce?: string;
  expectedAud?: string;
  /** Default: required whenever a nonce or audience is expected. */
  requireKeyBinding?: boolean;
  /** DCQL claim paths that must be disclosed. */
  requiredPaths?: readonly (readonly string[])[];
  /** Accepted `vct` values (default: the identity credential's). */
  allowedVcts?: readonly string[];
  allowedAlgs?: readonly JwsAlg[];
  /** Maximum age of the key-binding JWT (default 300 s). */
  kbMaxAgeSeconds?: number;
}

const DEFAULT_ALGS: readonly JwsAlg[] = ['ES256', 'EdDSA'];

/**
 * Verifies an SD-JWT VC presentation against trust, status and the request, from memory only
 * (keys and status lists are fetched beforehand). Never throws for bad input: every failure is
 * an entry in `errors` with a stable code, and `valid` is true only when there is none.
 */
export function verifyPresentation(presentation: string, options: VerifyPresentationOptions): VerificationResult {
  const checkedAt = options.now.toISOString();
  let verified: VerifiedSdJwtVc;
  try {
    verified = verifySdJwtVc(presentation, {
      now: options.now,
      resolveIssuerKey: (iss, header) => options.trust.resolveKey(iss, header),
      allowedAlgs: options.allowedAlgs ?? DEFAULT_ALGS,
      expectedNonce: options.expectedNonce,
      expectedAud: options.expectedAud,
      requireKeyBinding: options.requireKeyBinding ?? (options.expectedNonce !== undefined || options.expectedAud !== undefined),
      kbMaxAgeSeconds: options.kbMaxAgeSeconds,
    });
  } catch (e) {
    return failed(checkedAt, toError(e));
  }

  const { payload } = verified;
  const errors: VerificationError[] = [];
  const vct = payload.vct as string;
  if (!(options.allowedVcts ?? [IDENTITY_VCT]).includes(vct)) {
    errors.push({ code: 'vct_not_allowed', message: 'the credential type is not accepted here' });
  }

  const status = checkStatus(payload, options);
  if (status.error) errors.push(status.error);

  const disclosed = disclosedClaims(payload, verified.claims, verified.disclosures);
  for (const path of options.requiredPaths ?? []) {
    if (!isPathDisclosed(disclosed, path)) {
      errors.push({ code: 'claim_missing', message: `the requested claim ${path.join('.')} was not disclosed` });
    }
  }

  const verification = isRecord(payload.verification) ? payload.verification : {};
  const level = verification.assurance_level;
  const result: VerificationResult = {
    valid: errors.length === 0,
    errors,
    issuer: payload.iss as string,
    vct,
    assurance_level: ASSURANCE_LEVELS.includes(level as AssuranceLevel) ? (level as AssuranceLevel) : null,
    disclosed: errors.length === 0 ? disclosed : {},
    status: status.value,
    checked_at: checkedAt,
    key_binding: verified.keyBinding.present ? 'verified' : 'absent',
  };
  if (verification.sandbox === true) result.sandbox = true;
  return result;
}

function checkStatus(
  payload: Record<string, unknown>,
  options: VerifyPresentationOptions,
): { value: CredentialStatus; error?: VerificationError } {
  const ref = isRecord(payload.status) && isRecord(payload.status.status_list) ? payload.status.status_list : undefined;
  if (!ref || typeof ref.uri !== 'string' || typeof ref.idx !== 'number') {
    return { value: 'unknown', error: { code: 'status_unavailable', message: 'the credential carries no status list reference' } };
  }
  const list = options.statusLists.lookup(ref.uri, payload.iss as string, options.now);
  if (!list) return { value: 'unknown', error: { code: 'status_unavailable', message: 'the status list could not be obtained' } };
  let value: number;
  try {
    value = list.get(ref.idx);
  } catch (e) {
    return { value: 'unknown', error: toError(e) };
  }
  if (value === STATUS.VALID) return { value: 'valid' };
  if (value === STATUS.INVALID) return { value: 'revoked', error: { code: 'revoked', message: 'the credential has been revoked' } };
  if (value === STATUS.SUSPENDED) return { value: 'suspended', error: { code: 'suspended', message: 'the credential is suspended' } };
  return { value: 'unknown', error: { code: 'status_unavailable', message: `status value ${value} is not understood` } };
}

function failed(checkedAt: string, error: VerificationError): VerificationResult {
  return {
    valid: false,
    errors: [error],
    issuer: null,
    vct: null,
    assurance_level: null,
    disclosed: {},
    status: 'unknown',
    checked_at: checkedAt,
    key_binding: 'absent',
  };
}

function toError(e: unknown): VerificationError {
  if (isShomeiError(e)) return { code: e.code, message: e.message };
  // Library errors may quote the input; only a fixed message leaves here.
  return { code: 'malformed', message: 'the presentation could not be processed' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
