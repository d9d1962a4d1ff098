/**
 * One error hierarchy for the whole project. Every rejection carries a stable machine-readable
 * `code` (never parsed out of message text) and a message that names what was wrong without
 * echoing secrets, tokens or personal values.
 */
export const ERROR_CODES = {
  // generic input
  invalid_request: 400,
  malformed: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  /** A state-changing browser request that came from another site (no same-origin Origin / Sec-Fetch-Site): login CSRF. */
  cross_site_request: 403,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  upstream_unavailable: 502,
  /** The outbound-fetch policy refused a target (scheme, port, or a private/loopback/metadata address). */
  fetch_refused: 400,
  storage_unavailable: 503,
  // SD-JWT / SD-JWT VC verification
  signature_invalid: 400,
  unsupported_alg: 400,
  disclosure_digest_mismatch: 400,
  disclosure_duplicate: 400,
  disclosure_invalid: 400,
  kb_missing: 400,
  kb_signature_invalid: 400,
  kb_nonce_mismatch: 400,
  kb_aud_mismatch: 400,
  kb_sd_hash_mismatch: 400,
  kb_iat_invalid: 400,
  expired: 400,
  not_yet_valid: 400,
  revoked: 400,
  suspended: 400,
  status_unavailable: 400,
  untrusted_issuer: 400,
  vct_not_allowed: 400,
  claim_missing: 400,
  /** The presentation disclosed claims the request did not ask for, and the request said to refuse them (data minimization). */
  extra_claims_disclosed: 400,
  assurance_too_low: 400,
  assurance_not_allowed: 400,
  credential_too_old: 400,
  replay: 409,
  // OpenID4VCI (OAuth error shapes)
  invalid_grant: 400,
  invalid_proof: 400,
  invalid_nonce: 400,
  invalid_token: 401,
  invalid_credential_request: 400,
  unknown_credential_configuration: 400,
  // wallet
  wrong_passphrase: 401,
  wallet_not_initialized: 400,
  wallet_exists: 409,
  consent_refused: 400,
  no_matching_credential: 400,
  request_invalid: 400,
  /** A request signed by a verifier whose identity (certificate chain, attestation) the wallet cannot trust. */
  verifier_untrusted: 400,
  sandbox_disabled: 404,
  // identity proofing (issuer applications)
  certificate_expired: 400,
  certificate_untrusted: 400,
  certificate_revoked: 400,
  certificate_invalid: 400,
  challenge_signature_invalid: 400,
  challenge_used: 409,
  challenge_expired: 400,
  unsupported_media_type: 415,
  assertion_untrusted: 400,
  assertion_invalid: 400,
  application_state: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ShomeiError extends Error {
  readonly code: ErrorCode;
  /** Extra, non-secret fields for HTTP problem details (e.g. attempts_left). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShomeiError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isShomeiError(e: unknown, code?: ErrorCode): e is ShomeiError {
  return e instanceof ShomeiError && (code === undefined || e.code === code);
}
