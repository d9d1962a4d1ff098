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
import { DEFAULT_ALGS } from '../trust/algorithms.js';
import type { IssuerKeyResolver, IssuerPolicySource } from '../trust/trust-store.js';
import { disclosedClaims, isPathDisclosed } from './disclosed.js';
import { keepAsked } from './minimize.js';

/** `none`: the credential carries no `status` claim and the policy did not require one. */
export type CredentialStatus = 'valid' | 'revoked' | 'suspended' | 'unknown' | 'none';

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
  /** Things the business should know that did not make the credential invalid (legacy typ, stale status list). */
  warnings?: VerificationWarning[];
  /** Match mode: per field of the business's record, whether the credential agrees; no values. */
  matches?: Record<string, boolean>;
}

export type WarningCode =
  | 'legacy_typ'
  | 'status_stale'
  | 'status_not_checked'
  | 'status_absent'
  | 'key_binding_absent'
  | 'extra_claims_dropped';
export interface VerificationWarning {
  code: WarningCode;
  message: string;
}

/** IAL1 < IAL2 < IAL3 (contract 5). */
export function assuranceRank(level: unknown): number {
  return ASSURANCE_LEVELS.indexOf(level as AssuranceLevel);
}

export interface VerifyPresentationOptions {
  now: Date;
  /** Trusted issuer keys (in memory; see TrustStore); with `issuerPolicy`, the types and levels each may issue. */
  trust: IssuerKeyResolver & Partial<IssuerPolicySource>;
  /** Cached status lists (in memory; see StatusListCache). */
  statusLists: StatusListLookup;
  /** The request nonce and the verifier's client_id, which the key-binding JWT must carry. */
  expectedNonce?: string;
  expectedAud?: string;
  /** A key-binding JWT even for a credential without `cnf`. Default: whenever a nonce or audience is expected. */
  requireKeyBinding?: boolean;
  /**
   * A credential bound to a holder key (`cnf`) needs a key-binding JWT: `required` (default),
   * else a stolen credential alone would verify. `optional`: one is checked when present, and
   * without one the result says `key_binding: "absent"` with the warning `key_binding_absent`.
   */
  keyBinding?: 'required' | 'optional';
  /** DCQL claim paths that must be disclosed. */
  requiredPaths?: readonly (readonly string[])[];
  /** Claim paths the request allows without requiring them (OpenID4VP optional claims). */
  optionalPaths?: readonly (readonly string[])[];
  /**
   * Data minimization: disclosures the request did not ask for (required or optional; in match
   * mode runVerification adds the claims the record needs) are left out of `disclosed` with the warning `extra_claims_dropped` (`drop`, the
   * default), or fail the presentation with `extra_claims_disclosed` (`refuse`). A check that
   * names no claim at all asked for none in particular: it hands on what was presented.
   */
  extraClaims?: 'drop' | 'refuse';
  /** Accepted `vct` values (default: the identity credential's). */
  allowedVcts?: readonly string[];
  allowedAlgs?: readonly JwsAlg[];
  /** Maximum age of the key-binding JWT (default 300 s). */
  kbMaxAgeSeconds?: number;
  /** The lowest assurance level accepted (IAL1 < IAL2 < IAL3). */
  minAssurance?: AssuranceLevel;
  /** The oldest credential accepted, by its `iat`. */
  maxCredentialAgeSeconds?: number;
  /** A status list past its ttl whose refresh failed: `reject` (default) or `accept` with a warning. */
  staleStatus?: 'reject' | 'accept';
  /**
   * Whether a credential must carry a `status` claim (default true). SD-JWT VC makes `status`
   * OPTIONAL; without one and not required the result says `status: "none"` with a
   * `status_absent` warning. The issuer's own trust entry (IssuerPolicy.statusRequired) wins.
   */
  statusRequired?: boolean;
  /** `sd-jwt-vc` (default), or `sd-jwt`: any RFC 9901 SD-JWT without the SD-JWT VC type rules. */
  profile?: 'sd-jwt-vc' | 'sd-jwt';
}

/**
 * Verifies an SD-JWT VC presentation against trust, status and the request, from memory only
 * (keys and status lists are fetched beforehand). Never throws for bad input: every failure is
 * an entry in `errors` with a stable code, and `valid` is true only when there is none.
 * Asynchronous only for the holder-key import (see importPublicJwk); it does no I/O.
 */
export async function verifyPresentation(presentation: string, options: VerifyPresentationOptions): Promise<VerificationResult> {
  const checkedAt = options.now.toISOString();
  let verified: VerifiedSdJwtVc;
  try {
    verified = await verifySdJwtVc(presentation, {
      now: options.now,
      resolveIssuerKey: (iss, header) => options.trust.resolveKey(iss, header),
      allowedAlgs: options.allowedAlgs ?? DEFAULT_ALGS,
      expectedNonce: options.expectedNonce,
      expectedAud: options.expectedAud,
      requireKeyBinding: options.requireKeyBinding ?? (options.expectedNonce !== undefined || options.expectedAud !== undefined),
      kbMaxAgeSeconds: options.kbMaxAgeSeconds,
      profile: options.profile,
    });
  } catch (e) {
    return failed(checkedAt, toError(e));
  }

  const { payload } = verified;
  const errors: VerificationError[] = [];
  const warnings: VerificationWarning[] = [];
  const profile = options.profile ?? 'sd-jwt-vc';
  if (!verified.keyBinding.present && payload.cnf !== undefined) {
    if ((options.keyBinding ?? 'required') === 'required') {
      return failed(checkedAt, {
        code: 'kb_missing',
        message: 'the credential is bound to a holder key and the presentation has no key-binding JWT',
      });
    }
    warnings.push({
      code: 'key_binding_absent',
      message: 'the credential is bound to a holder key but was presented without key binding; accepted by request',
    });
  }
  if (verified.legacyTyp) {
    warnings.push({ code: 'legacy_typ', message: 'the credential uses the legacy typ vc+sd-jwt (accepted beside dc+sd-jwt)' });
  }
  const vct = typeof payload.vct === 'string' ? payload.vct : null;
  const verification = isRecord(payload.verification) ? payload.verification : {};
  const level = verification.assurance_level;
  const assurance = ASSURANCE_LEVELS.includes(level as AssuranceLevel) ? (level as AssuranceLevel) : null;
  const policy = options.trust.issuerPolicy?.(typeof payload.iss === 'string' ? payload.iss : '', options.now);
  if (policy && 'untrusted' in policy) {
    // The key resolved (say, for a status list) but the issuer's accreditation no longer holds.
    return failed(checkedAt, { code: 'untrusted_issuer', message: policy.untrusted });
  }
  if (profile === 'sd-jwt-vc') {
    const allowedVcts = options.allowedVcts ?? policy?.vcts ?? [IDENTITY_VCT];
    if (vct === null || !allowedVcts.includes(vct)) {
      errors.push({ code: 'vct_not_allowed', message: 'the credential type is not accepted here' });
    } else if (policy && options.allowedVcts && !policy.vcts.includes(vct)) {
      errors.push({ code: 'vct_not_allowed', message: 'the issuer is not trusted for this credential type' });
    }
    if (policy && assurance !== null && assuranceRank(assurance) > assuranceRank(policy.maxAssurance)) {
      errors.push({
        code: 'assurance_not_allowed',
        message: `the issuer may assert at most ${policy.maxAssurance} (${policy.source === 'accreditation' ? 'accreditation' : 'trust configuration'})`,
      });
    }
  }
  if (options.minAssurance !== undefined && (assurance === null || assuranceRank(assurance) < assuranceRank(options.minAssurance))) {
    errors.push({ code: 'assurance_too_low', message: `the credential's assurance level is below ${options.minAssurance}` });
  }
  if (options.maxCredentialAgeSeconds !== undefined) {
    const iat = typeof payload.iat === 'number' ? payload.iat : undefined;
    if (iat === undefined || Math.floor(options.now.getTime() / 1000) - iat > options.maxCredentialAgeSeconds) {
      errors.push({ code: 'credential_too_old', message: `the credential was issued more than ${options.maxCredentialAgeSeconds} s ago` });
    }
  }

  const status =
    profile === 'sd-jwt' && payload.status === undefined
      ? { value: 'unknown' as const, warning: { code: 'status_not_checked' as const, message: 'the SD-JWT carries no status' } }
      : checkStatus(payload, options, policy?.statusRequired);
  if (status.error) errors.push(status.error);
  if (status.warning) warnings.push(status.warning);

  let disclosed = disclosedClaims(payload, verified.claims, verified.disclosures);
  const asked = [...(options.requiredPaths ?? []), ...(options.optionalPaths ?? [])];
  if (asked.length > 0) {
    const { kept, dropped } = keepAsked(disclosed, asked);
    if (dropped.length > 0) {
      const names = dropped.join(', ');
      if (options.extraClaims === 'refuse') {
        errors.push({
          code: 'extra_claims_disclosed',
          message: `the presentation disclosed claims the request did not ask for (${names})`,
        });
      } else {
        warnings.push({ code: 'extra_claims_dropped', message: `claims the request did not ask for were left out (${names})` });
      }
      disclosed = kept;
    }
  }
  for (const path of options.requiredPaths ?? []) {
    if (!isPathDisclosed(disclosed, path)) {
      errors.push({ code: 'claim_missing', message: `the requested claim ${path.join('.')} was not disclosed` });
    }
  }

  const result: VerificationResult = {
    valid: errors.length === 0,
    errors,
    issuer: typeof payload.iss === 'string' ? payload.iss : null,
    vct,
    assurance_level: assurance,
    disclosed: errors.length === 0 ? disclosed : {},
    status: status.value,
    checked_at: checkedAt,
    key_binding: verified.keyBinding.present ? 'verified' : 'absent',
  };
  if (verification.sandbox === true) result.sandbox = true;
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function checkStatus(
  payload: Record<string, unknown>,
  options: VerifyPresentationOptions,
  issuerStatusRequired: boolean | undefined,
): { value: CredentialStatus; error?: VerificationError; warning?: VerificationWarning } {
  // Only an absent claim is "no status": a status claim that is there but unreadable is refused below.
  if (payload.status === undefined && !(issuerStatusRequired ?? options.statusRequired ?? true)) {
    return {
      value: 'none',
      warning: { code: 'status_absent', message: 'the credential carries no status; accepted by policy (not revocable)' },
    };
  }
  const ref = isRecord(payload.status) && isRecord(payload.status.status_list) ? payload.status.status_list : undefined;
  if (!ref || typeof ref.uri !== 'string' || typeof ref.idx !== 'number') {
    return { value: 'unknown', error: { code: 'status_unavailable', message: 'the credential carries no status list reference' } };
  }
  const iss = typeof payload.iss === 'string' ? payload.iss : '';
  const entry = options.statusLists.lookupEntry
    ? options.statusLists.lookupEntry(ref.uri, iss, options.now)
    : (() => {
        const list = options.statusLists.lookup(ref.uri, iss, options.now);
        return list ? { list, stale: false } : undefined;
      })();
  if (!entry) return { value: 'unknown', error: { code: 'status_unavailable', message: 'the status list could not be obtained' } };
  let warning: VerificationWarning | undefined;
  if (entry.stale) {
    if ((options.staleStatus ?? 'reject') === 'reject') {
      return { value: 'unknown', error: { code: 'status_unavailable', message: 'the cached status list is stale (its refresh failed)' } };
    }
    warning = { code: 'status_stale', message: 'the status list is past its ttl (its refresh failed); accepted by policy' };
  }
  const list = entry.list;
  let value: number;
  try {
    value = list.get(ref.idx);
  } catch (e) {
    return { value: 'unknown', error: toError(e) };
  }
  if (value === STATUS.VALID) return warning ? { value: 'valid', warning } : { value: 'valid' };
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
