import { hash } from 'node:crypto';
import { ShomeiError } from '../errors.js';

/**
 * The `_sd_alg` values accepted: names from the IANA "Named Information Hash Algorithm" registry
 * (RFC 9901 §4.1.1), limited to the full-length SHA-2 and SHA-3 digests. Truncated (`sha-256-128`)
 * and other registry entries are refused with `unsupported_alg`.
 */
export const SD_ALGS = ['sha-256', 'sha-384', 'sha-512', 'sha3-256', 'sha3-384', 'sha3-512'] as const;
export type SdAlg = (typeof SD_ALGS)[number];

/** RFC 9901 §4.1.1: without `_sd_alg` the digests are SHA-256. */
export const DEFAULT_SD_ALG: SdAlg = 'sha-256';

/** node:crypto's OpenSSL names for them, looked up once per SD-JWT, not per digest. */
const NODE_HASH: Readonly<Record<SdAlg, string>> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

export function isSdAlg(value: unknown): value is SdAlg {
  return typeof value === 'string' && Object.hasOwn(NODE_HASH, value);
}

/** The `_sd_alg` of an issuer-signed payload (absent: sha-256), or `unsupported_alg`. */
export function sdAlgOf(payload: Record<string, unknown>): SdAlg {
  // Only an absent member means the default: `null` is not a name either.
  const alg = payload._sd_alg === undefined ? DEFAULT_SD_ALG : payload._sd_alg;
  if (isSdAlg(alg)) return alg;
  // Never String() an untrusted object: its toString may be anything (or not a function).
  const named = typeof alg === 'string' ? alg.slice(0, 40) : `of type ${typeof alg}`;
  throw new ShomeiError('unsupported_alg', `_sd_alg ${named} is not supported`);
}

/** The node:crypto `hash()` name for an accepted `_sd_alg`. */
export function nodeHashName(alg: SdAlg): string {
  return NODE_HASH[alg];
}

/** base64url(digest) of an ASCII input: a disclosure, or the key binding's sd_hash input. */
export function sdDigest(alg: SdAlg, input: string): string {
  return hash(NODE_HASH[alg], input, 'base64url');
}
