import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateEs256KeyPair } from './keys.js';
import { isP256Point } from './p256.js';

const b64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

describe('isP256Point', () => {
  it('accepts generated keys, and agrees with OpenSSL on points off the curve', () => {
    for (let i = 0; i < 50; i++) {
      const { x = '', y = '' } = generateEs256KeyPair().publicJwk;
      expect(isP256Point(x, y)).toBe(true);
      // Swapping the coordinates almost never lands on the curve; OpenSSL must say the same.
      const swapped = { kty: 'EC', crv: 'P-256', x: y, y: x };
      const openssl = (() => {
        try {
          createPublicKey({ key: swapped, format: 'jwk' });
          return true;
        } catch {
          return false;
        }
      })();
      expect(isP256Point(y, x)).toBe(openssl);
    }
  });

  it('accepts the generator point of the curve', () => {
    const gx = '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296';
    const gy = '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5';
    expect(isP256Point(b64u(gx), b64u(gy))).toBe(true);
    const yPlusOne = '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f6';
    expect(isP256Point(b64u(gx), b64u(yPlusOne))).toBe(false);
  });

  it('refuses coordinates that are not 32 canonical bytes below the field prime', () => {
    const { x = '', y = '' } = generateEs256KeyPair().publicJwk;
    expect(isP256Point(x.slice(1), y)).toBe(false); // 42 characters
    expect(isP256Point(`${x}A`, y)).toBe(false); // 44 characters
    expect(isP256Point(x, `${y.slice(0, 42)}!`)).toBe(false); // not base64url
    const lastX = x.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = alphabet[alphabet.indexOf(lastX) | 1] as string; // a spare low bit set
    if (nonCanonical !== lastX) expect(isP256Point(`${x.slice(0, 42)}${nonCanonical}`, y)).toBe(false);
    const p = 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff';
    expect(isP256Point(b64u(p), y)).toBe(false); // x = p is not a field element
  });
});
