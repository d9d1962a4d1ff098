import type { KeyObject } from 'node:crypto';
import { ALL_JWS_ALGS, type JwsAlg, parseJws, verifyJwsSignature } from '../crypto/jws.js';
import { importPublicJwk } from '../crypto/keys.js';
import { ShomeiError } from '../errors.js';
import { type DecodedSdJwt, type Disclosure, decodeSdJwt, reconstructClaims } from './decode.js';
import { sdDigest } from './digest.js';
import { LEGACY_SD_JWT_VC_TYP, SD_JWT_VC_TYP } from './issue.js';

export interface VerifySdJwtVcOptions {
  /** The verification time; never read from the clock inside. */
  now: Date;
  /** Returns the trusted key for this issuer and header `kid`, or throws `untrusted_issuer`. */
  resolveIssuerKey: (iss: string, header: Record<string, unknown>) => KeyObject;
  allowedAlgs?: readonly JwsAlg[];
  /** When either is set, a credential with `cnf` must carry a key-binding JWT that matches. */
  expectedNonce?: string;
  expectedAud?: string;
  /** Require key binding even without an expected nonce/audience. */
  requireKeyBinding?: boolean;
  /** How old a key-binding `iat` may be (default 300 s), and the allowed clock skew (default 60 s). */
  kbMaxAgeSeconds?: number;
  clockSkewSeconds?: number;
  /** `sd-jwt-vc` (default) checks typ, vct and iss; `sd-jwt` any RFC 9901 SD-JWT. */
  profile?: 'sd-jwt-vc' | 'sd-jwt';
}

export interface VerifiedSdJwtVc {
  header: Record<string, unknown>;
  /** The issuer-signed payload as signed (digests, not values). */
  payload: Record<string, unknown>;
  /** The payload with every presented disclosure put in place. */
  claims: Record<string, unknown>;
  disclosures: Disclosure[];
  keyBinding: { present: false } | { present: true; payload: Record<string, unknown> };
  /** True when `typ` was the legacy `vc+sd-jwt`. */
  legacyTyp: boolean;
}

/**
 * Verifies an SD-JWT VC presentation (RFC 9901 §7, SD-JWT VC). Written here rather than taken
 * from @sd-jwt/core 0.19.0, whose verify does not compare the key-binding `aud`, ignores
 * unreferenced disclosures, accepts a repeated disclosure and accepts a bare JWT. The first
 * failed check rejects with a ShomeiError with its stable code. Asynchronous only because the
 * holder's key is imported through WebCrypto (see importPublicJwk); no I/O happens here.
 */
export async function verifySdJwtVc(presentation: string, options: VerifySdJwtVcOptions): Promise<VerifiedSdJwtVc> {
  const decoded = decodeSdJwt(presentation);
  const { header, payload } = decoded.issuerJws;
  const profile = options.profile ?? 'sd-jwt-vc';
  const allowed = options.allowedAlgs ?? ALL_JWS_ALGS;
  const skew = options.clockSkewSeconds ?? 60;
  const now = Math.floor(options.now.getTime() / 1000);

  let legacyTyp = false;
  if (profile === 'sd-jwt-vc') {
    if (header.typ === LEGACY_SD_JWT_VC_TYP) legacyTyp = true;
    else if (header.typ !== SD_JWT_VC_TYP) throw new ShomeiError('malformed', `typ must be ${SD_JWT_VC_TYP}`);
    if (typeof payload.vct !== 'string' || payload.vct.length === 0) throw new ShomeiError('malformed', 'vct is missing');
  }
  if (typeof payload.iss !== 'string') {
    if (profile === 'sd-jwt-vc') throw new ShomeiError('malformed', 'iss is missing');
  }
  // decodeSdJwt has refused an `_sd_alg` outside SD_ALGS and digested the disclosures with it.

  const issuerKey = options.resolveIssuerKey(typeof payload.iss === 'string' ? payload.iss : '', header);
  verifyJwsSignature(decoded.issuerJws, issuerKey, { allowed, code: 'signature_invalid' });

  const claims = reconstructClaims(payload, decoded.disclosures);
  checkValidity(payload, now, skew);

  const keyBinding = await verifyKeyBinding(decoded, payload, options, allowed, now, skew);
  return { header, payload, claims, disclosures: decoded.disclosures, keyBinding, legacyTyp };
}

function checkValidity(payload: Record<string, unknown>, now: number, skew: number): void {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') {
      throw new ShomeiError('malformed', `${claim} must be a number`);
    }
  }
  if (typeof payload.exp === 'number' && now - skew >= payload.exp) throw new ShomeiError('expired', 'the credential has expired');
  if (typeof payload.nbf === 'number' && now + skew < payload.nbf)
    throw new ShomeiError('not_yet_valid', 'the credential is not yet valid');
  if (typeof payload.iat === 'number' && now + skew < payload.iat)
    throw new ShomeiError('not_yet_valid', 'the credential was issued in the future');
}

async function verifyKeyBinding(
  decoded: DecodedSdJwt,
  payload: Record<string, unknown>,
  options: VerifySdJwtVcOptions,
  allowed: readonly JwsAlg[],
  now: number,
  skew: number,
): Promise<VerifiedSdJwtVc['keyBinding']> {
  const cnf = payload.cnf as { jwk?: unknown } | undefined;
  const expected = options.expectedNonce !== undefined || options.expectedAud !== undefined || options.requireKeyBinding === true;
  if (decoded.kbJwt === undefined) {
    if (expected && cnf !== undefined) throw new ShomeiError('kb_missing', 'the presentation has no key-binding JWT');
    if (options.requireKeyBinding) throw new ShomeiError('kb_missing', 'the presentation has no key-binding JWT');
    return { present: false };
  }
  if (!cnf || typeof cnf !== 'object' || cnf.jwk === undefined) {
    throw new ShomeiError('kb_signature_invalid', 'key-binding JWT present but the credential has no cnf.jwk');
  }
  // The structural checks first: a malformed key-binding JWT is refused before the key import.
  const kb = parseJws(decoded.kbJwt, 'malformed');
  if (kb.header.typ !== 'kb+jwt') throw new ShomeiError('malformed', 'key-binding JWT typ must be kb+jwt');
  const holderKey = await importPublicJwk(cnf.jwk);
  verifyJwsSignature(kb, holderKey, { allowed, code: 'kb_signature_invalid' });
  const p = kb.payload;
  if (options.expectedNonce !== undefined && p.nonce !== options.expectedNonce) {
    throw new ShomeiError('kb_nonce_mismatch', 'key-binding nonce does not match');
  }
  if (options.expectedAud !== undefined && p.aud !== options.expectedAud) {
    throw new ShomeiError('kb_aud_mismatch', 'key-binding audience does not match');
  }
  if (typeof p.iat !== 'number') throw new ShomeiError('kb_iat_invalid', 'key-binding iat is missing');
  if (p.iat > now + skew) throw new ShomeiError('kb_iat_invalid', 'key-binding iat is in the future');
  if (p.iat < now - (options.kbMaxAgeSeconds ?? 300)) throw new ShomeiError('kb_iat_invalid', 'key-binding iat is too old');
  // RFC 9901 §4.3.1: sd_hash uses the issuer's `_sd_alg`, the same as the disclosures.
  if (p.sd_hash !== sdDigest(decoded.sdAlg, decoded.sdHashInput)) {
    throw new ShomeiError('kb_sd_hash_mismatch', 'key-binding sd_hash does not match the presented SD-JWT');
  }
  return { present: true, payload: p };
}
