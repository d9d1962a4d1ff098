import type { JwsAlg } from '@shomei/shared';

/**
 * Issuer signature algorithms accepted by default; `none` and HMAC are never accepted. A trust
 * setting (the trust file's `algorithms` overrides it), so it lives with trust: verification
 * reads it from here, and trust does not import verification.
 */
export const DEFAULT_ALGS: readonly JwsAlg[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];
