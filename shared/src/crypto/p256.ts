import { b64uCanonicalBytes } from '../encoding.js';

/**
 * Whether a JWK's base64url `x` and `y` name a point on NIST P-256, checked with the curve
 * equation y² = x³ − 3x + b (mod p) in BigInt arithmetic: ~2 µs here, against ~15 µs for decoding
 * the point with `ECDH.convertKey` and ~68 µs for importing the JWK as a KeyObject. P-256 has
 * cofactor 1, so a point on the curve is in the prime-order group; that is all a holder key needs.
 * Used where holder keys arrive by the thousand (batch rows) and only their validity is wanted.
 */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

export function isP256Point(x: string, y: string): boolean {
  const xb = b64uCanonicalBytes(x, 32);
  const yb = b64uCanonicalBytes(y, 32);
  if (!xb || !yb) return false;
  const X = BigInt(`0x${xb.toString('hex')}`);
  const Y = BigInt(`0x${yb.toString('hex')}`);
  if (X >= P || Y >= P) return false;
  return (Y * Y - (X * X * X - 3n * X + B)) % P === 0n;
}
