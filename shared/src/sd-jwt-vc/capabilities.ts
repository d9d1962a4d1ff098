import { hash, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { Hasher, SaltGenerator, Signer } from '@sd-jwt/types';
import { algForKey } from '../crypto/jws.js';
import { isSdAlg, nodeHashName } from './digest.js';

/** SHA-256 for disclosure digests and sd_hash (`crypto.hash` is the fastest one-shot digest). */
export const sha256Hasher: Hasher = (data, alg) => {
  if (alg.toLowerCase() !== 'sha-256') throw new Error(`unsupported hash ${alg}`);
  const input = typeof data === 'string' ? data : Buffer.from(data);
  return new Uint8Array(hash('sha256', input, 'buffer'));
};

/**
 * Every `_sd_alg` in SD_ALGS: @sd-jwt asks for the credential's own alg when it digests
 * disclosures and the key binding's sd_hash, so a presenter must not be SHA-256 only.
 */
export const sdHasher: Hasher = (data, alg) => {
  const name = alg.toLowerCase();
  if (!isSdAlg(name)) throw new Error(`unsupported hash ${alg.slice(0, 40)}`);
  const input = typeof data === 'string' ? data : Buffer.from(data);
  return new Uint8Array(hash(nodeHashName(name), input, 'buffer'));
};

/** 128-bit salts from node:crypto (the stock generator's 16 "bytes" carry only 64 bits). */
export const saltGenerator: SaltGenerator = () => randomBytes(16).toString('base64url');

/** A @sd-jwt Signer on a node:crypto key (ES256 and friends, IEEE P1363 signatures). */
export function nodeSigner(key: KeyObject): Signer {
  const alg = algForKey(key);
  const digest = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  return (data: string) => sign(digest, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}
