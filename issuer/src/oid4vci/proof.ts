import { exportPublicJwk, PROOF_TYP, type PublicJwk, parseJws, publicKeyFromJwk, ShomeiError, verifyJwsSignature } from '@shomei/shared';

export interface ProofExpectations {
  /** The credential issuer identifier, which the proof must name as its audience. */
  audience: string;
  now: Date;
  maxAgeSeconds: number;
  futureSkewSeconds: number;
}

export interface VerifiedProof {
  /** The holder's public key, public members only: it becomes the credential's `cnf.jwk`. */
  holderJwk: PublicJwk;
  /** The c_nonce the proof was made for; the caller still has to spend it. */
  nonce: string;
}

/**
 * Verifies a key proof JWT (OpenID4VCI 1.0 Appendix F.1) against the values passed in. It does
 * no I/O: whether the nonce is one this issuer handed out, and still unused, is the caller's check.
 */
export function verifyProofJwt(jwt: string, expected: ProofExpectations): VerifiedProof {
  const jws = parseJws(jwt, 'invalid_proof');
  const { header, payload } = jws;
  if (header.typ !== PROOF_TYP) throw new ShomeiError('invalid_proof', `proof typ must be ${PROOF_TYP}`);
  if (header.alg !== 'ES256') throw new ShomeiError('invalid_proof', 'proof alg must be ES256');
  // The key must travel in the proof itself: a kid or certificate chain would need a lookup this issuer does not do.
  if (header.kid !== undefined || header.x5c !== undefined)
    throw new ShomeiError('invalid_proof', 'proof must carry its key as jwk, not kid or x5c');
  if (header.jwk === undefined) throw new ShomeiError('invalid_proof', 'proof header has no jwk');
  let key: ReturnType<typeof publicKeyFromJwk>;
  try {
    key = publicKeyFromJwk(header.jwk);
  } catch (cause) {
    throw new ShomeiError('invalid_proof', 'proof jwk is not a usable public key', { cause });
  }
  verifyJwsSignature(jws, key, { allowed: ['ES256'], code: 'invalid_proof' });

  const aud = payload.aud;
  const audOk = aud === expected.audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === expected.audience);
  if (!audOk) throw new ShomeiError('invalid_proof', 'proof aud is not this credential issuer');
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw new ShomeiError('invalid_proof', 'proof iat is missing');
  const now = Math.floor(expected.now.getTime() / 1000);
  if (payload.iat > now + expected.futureSkewSeconds) throw new ShomeiError('invalid_proof', 'proof iat is in the future');
  if (payload.iat < now - expected.maxAgeSeconds) throw new ShomeiError('invalid_proof', 'proof iat is too old');
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0) throw new ShomeiError('invalid_proof', 'proof has no nonce');
  return { holderJwk: exportPublicJwk(key), nonce: payload.nonce };
}
