import { hash } from 'node:crypto';
import { type ParsedJws, parseJws } from '../crypto/jws.js';
import { b64uDecodeText, isB64u } from '../encoding.js';
import { ShomeiError } from '../errors.js';
import { DEFAULT_SD_ALG, nodeHashName, type SdAlg, sdAlgOf } from './digest.js';

export interface Disclosure {
  encoded: string;
  digest: string;
  salt: string;
  /** Absent for array-element disclosures. */
  name?: string;
  value: unknown;
}

export interface DecodedSdJwt {
  /** The issuer-signed JWT, compact. */
  jwt: string;
  issuerJws: ParsedJws;
  disclosures: Disclosure[];
  /** The key-binding JWT, compact, when present. */
  kbJwt?: string;
  /** `<jwt>~<d1>~…~<dn>~`: the input of the key binding's sd_hash. */
  sdHashInput: string;
  /** The issuer's `_sd_alg` (sha-256 when absent): the digest of the disclosures and of sd_hash. */
  sdAlg: SdAlg;
}

export const MAX_SD_JWT_LENGTH = 256 * 1024;

/**
 * Splits an SD-JWT (RFC 9901 §4) into its parts and decodes each disclosure. Structure only: a
 * bare JWT without `~`, an empty disclosure, a disclosure that is not a 2- or 3-element JSON
 * array, or the same disclosure twice is refused here, and so is an `_sd_alg` other than those in
 * SD_ALGS (`unsupported_alg`): the disclosures' digests are computed with it.
 */
export function decodeSdJwt(compact: string): DecodedSdJwt {
  if (typeof compact !== 'string' || compact.length === 0) throw new ShomeiError('malformed', 'SD-JWT is empty');
  if (compact.length > MAX_SD_JWT_LENGTH) throw new ShomeiError('malformed', 'SD-JWT is too large');
  if (!compact.includes('~')) throw new ShomeiError('malformed', 'not an SD-JWT: no ~ separator');
  const parts = compact.split('~');
  const jwt = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const disclosureParts = parts.slice(1, -1);
  const issuerJws = parseJws(jwt);
  const sdAlg = sdAlgOf(issuerJws.payload);
  const hashName = nodeHashName(sdAlg);
  const seen = new Set<string>();
  const disclosures = disclosureParts.map((encoded) => {
    if (seen.has(encoded)) throw new ShomeiError('disclosure_duplicate', 'the same disclosure appears twice');
    seen.add(encoded);
    return decodeDisclosure(encoded, hashName);
  });
  const sdHashInput = compact.slice(0, compact.lastIndexOf('~') + 1);
  const decoded: DecodedSdJwt = { jwt, issuerJws, disclosures, sdHashInput, sdAlg };
  if (last !== '') decoded.kbJwt = last;
  return decoded;
}

/** A disclosure's digest as it goes into `_sd` (RFC 9901 §4.2.3), by default with SHA-256. */
export function disclosureDigest(encoded: string, alg: SdAlg = DEFAULT_SD_ALG): string {
  return hash(nodeHashName(alg), encoded, 'base64url');
}

function decodeDisclosure(encoded: string, hashName: string): Disclosure {
  if (!isB64u(encoded)) throw new ShomeiError('disclosure_invalid', 'disclosure is not base64url');
  let arr: unknown;
  try {
    arr = JSON.parse(b64uDecodeText(encoded));
  } catch {
    throw new ShomeiError('disclosure_invalid', 'disclosure is not JSON');
  }
  if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3) || typeof arr[0] !== 'string') {
    throw new ShomeiError('disclosure_invalid', 'disclosure must be [salt, name, value] or [salt, value]');
  }
  const digest = hash(hashName, encoded, 'base64url');
  if (arr.length === 2) return { encoded, digest, salt: arr[0], value: arr[1] };
  const name = arr[1];
  if (typeof name !== 'string') throw new ShomeiError('disclosure_invalid', 'disclosure claim name must be a string');
  if (name === '_sd' || name === '...' || name === '_sd_alg') {
    throw new ShomeiError('disclosure_invalid', `disclosure may not carry the reserved claim name ${name}`);
  }
  return { encoded, digest, salt: arr[0], name, value: arr[2] };
}

/**
 * Replaces digests in `payload` by the disclosed claims (RFC 9901 §7.1 steps 3–5). Every
 * disclosure must be referenced exactly once; a digest may appear only once; `_sd` entries must
 * be strings; a disclosed name may not collide with a visible one.
 */
export function reconstructClaims(payload: Record<string, unknown>, disclosures: readonly Disclosure[]): Record<string, unknown> {
  const byDigest = new Map(disclosures.map((d) => [d.digest, d]));
  const seenDigests = new Set<string>();
  const used = new Set<string>();

  const take = (digest: unknown): Disclosure | undefined => {
    if (typeof digest !== 'string') throw new ShomeiError('malformed', '_sd entries must be strings');
    if (seenDigests.has(digest)) throw new ShomeiError('malformed', 'a digest appears more than once');
    seenDigests.add(digest);
    const d = byDigest.get(digest);
    if (d) used.add(digest);
    return d;
  };

  const walk = (value: unknown, depth: number): unknown => {
    if (depth > 32) throw new ShomeiError('malformed', 'claims are nested too deeply');
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const el of value) {
        if (el && typeof el === 'object' && !Array.isArray(el) && '...' in el) {
          if (Object.keys(el).length !== 1) throw new ShomeiError('malformed', 'array digest object has extra members');
          const d = take((el as Record<string, unknown>)['...']);
          if (!d) continue;
          if (d.name !== undefined) throw new ShomeiError('disclosure_invalid', 'array element disclosure has a claim name');
          out.push(walk(d.value, depth + 1));
        } else out.push(walk(el, depth + 1));
      }
      return out;
    }
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        if (k === '_sd' || (k === '_sd_alg' && depth === 0)) continue;
        out[k] = walk(v, depth + 1);
      }
      const sd = obj._sd;
      if (sd !== undefined) {
        if (!Array.isArray(sd)) throw new ShomeiError('malformed', '_sd must be an array');
        for (const digest of sd) {
          const d = take(digest);
          if (!d) continue;
          if (d.name === undefined) throw new ShomeiError('disclosure_invalid', 'object property disclosure has no claim name');
          if (Object.hasOwn(out, d.name)) throw new ShomeiError('disclosure_invalid', `disclosed claim ${d.name} already exists`);
          out[d.name] = walk(d.value, depth + 1);
        }
      }
      return out;
    }
    return value;
  };

  const claims = walk(payload, 0) as Record<string, unknown>;
  if (used.size !== byDigest.size) {
    throw new ShomeiError('disclosure_digest_mismatch', 'a disclosure is not referenced by any digest in the credential');
  }
  return claims;
}
