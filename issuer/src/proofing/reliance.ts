import {
  ASSURANCE_LEVELS,
  type AssuranceLevel,
  type IdentityRecord,
  isShomeiError,
  parseJws,
  parseWith,
  publicKeyFromJwk,
  ShomeiError,
  verifyJwsSignature,
} from '@shomei/shared';
import { sha256 } from '../lib/secrets.js';
import type { Upstream } from './config.js';
import { relianceAssertionSchema } from './z-applications.js';

/** The JWT type of an upstream KYC body's assertion about a verified customer. */
export const KYC_ASSERTION_TYP = 'kyc-assertion+jwt';

export interface VerifiedReliance {
  upstream: string;
  upstreamLevel: AssuranceLevel;
  /** The level issued: the upstream's own, never above the maximum configured for it. */
  level: AssuranceLevel;
  identity: IdentityRecord;
  verifiedAt: string;
  /** Digest of (iss, jti): an assertion is used once. */
  ref: string;
}

export function lowerLevel(a: AssuranceLevel, b: AssuranceLevel): AssuranceLevel {
  return ASSURANCE_LEVELS.indexOf(a) <= ASSURANCE_LEVELS.indexOf(b) ? a : b;
}

/**
 * Verifies a signed assertion (ES256 JWS, typ `kyc-assertion+jwt`) from a configured upstream:
 * its `iss` must name a configured upstream and the signature must verify with one of that
 * upstream's keys; `aud` is this issuer; it is current; its level is capped at the upstream's.
 */
export function verifyRelianceAssertion(jwt: string, upstreams: Upstream[], audience: string, now: Date): VerifiedReliance {
  const jws = parseJws(jwt, 'assertion_invalid');
  if (jws.header.typ !== KYC_ASSERTION_TYP) throw new ShomeiError('assertion_invalid', `the assertion typ must be ${KYC_ASSERTION_TYP}`);
  const iss = jws.payload.iss;
  const upstream = upstreams.find((u) => u.id === iss);
  if (!upstream) throw new ShomeiError('assertion_untrusted', 'the assertion is not from a configured upstream KYC body');
  const verified = upstream.keys.some((jwk) => {
    try {
      verifyJwsSignature(jws, publicKeyFromJwk(jwk), { allowed: ['ES256'], code: 'assertion_untrusted' });
      return true;
    } catch (e) {
      if (isShomeiError(e)) return false;
      throw e;
    }
  });
  if (!verified) throw new ShomeiError('assertion_untrusted', 'the assertion is not signed by a configured key of its upstream');
  const claims = parseWith(relianceAssertionSchema, jws.payload, 'assertion', 'assertion_invalid');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience)) throw new ShomeiError('assertion_invalid', 'the assertion is for another issuer');
  const t = Math.floor(now.getTime() / 1000);
  if (claims.exp <= t) throw new ShomeiError('assertion_invalid', 'the assertion has expired');
  if (claims.iat > t + 60) throw new ShomeiError('assertion_invalid', 'the assertion is issued in the future');
  return {
    upstream: upstream.id,
    upstreamLevel: claims.assurance_level,
    level: lowerLevel(claims.assurance_level, upstream.max_level),
    identity: claims.identity,
    verifiedAt: claims.verified_at,
    ref: sha256(`${upstream.id}\n${claims.jti}`),
  };
}
