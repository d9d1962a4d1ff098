import type { KeyObject } from 'node:crypto';
import { type JwsAlg, type ParsedJws, verifyJwsSignature } from '@shomei/shared';

/** Asymmetric JWS algorithms a verifier may sign its request with (never `none`, never HMAC). */
export const REQUEST_SIGNING_ALGS: readonly JwsAlg[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256', 'RS256'];

/** The request object's signature under `key`; the key must fit the header alg (no key confusion). */
export function verifyRequestSignature(jws: ParsedJws, key: KeyObject): void {
  verifyJwsSignature(jws, key, { allowed: REQUEST_SIGNING_ALGS, code: 'request_invalid' });
}
