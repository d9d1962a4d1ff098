import { hash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256-bit random value, base64url: pre-authorized codes, access tokens, nonces. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A numeric transaction code of `length` digits, uniformly drawn. */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(0, 10));
  return out;
}

/** Codes and tokens are stored only as this digest, so a copied database does not redeem anything. */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url');
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so that their lengths,
 * which `timingSafeEqual` would otherwise reveal, do not matter.
 */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'base64url'), Buffer.from(sha256(expected), 'base64url'));
}

/** Compares a presented secret with a stored digest in constant time. */
export function matchesDigest(given: string, digest: string): boolean {
  const a = Buffer.from(sha256(given), 'base64url');
  const b = Buffer.from(digest, 'base64url');
  return a.length === b.length && timingSafeEqual(a, b);
}
