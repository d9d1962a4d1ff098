import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isShomeiError } from '../errors.js';
import { exportPublicJwk, importPublicJwk, publicKeyFromJwk } from './keys.js';

const CURVES = [
  ['P-256', 'sha256'],
  ['P-384', 'sha384'],
  ['P-521', 'sha512'],
] as const;

async function refusal(jwk: unknown): Promise<string> {
  const e = await importPublicJwk(jwk).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isShomeiError(e)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e.code;
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes, with a spare bit of the last character set: Buffer decodes it, but it is not canonical. */
function withSpareBit(coordinate: string): string {
  const last = B64U.indexOf(coordinate.slice(-1));
  return coordinate.slice(0, -1) + (B64U[last ^ 1] as string);
}

describe('importPublicJwk (raw-point import of EC holder keys)', () => {
  it.each(CURVES)('imports %s keys to the same key createPublicKey makes, and they verify', async (curve, digest) => {
    for (let i = 0; i < 10; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const jwk = exportPublicJwk(publicKey);
      const imported = await importPublicJwk(jwk);
      expect(exportPublicJwk(imported)).toEqual(exportPublicJwk(publicKeyFromJwk(jwk)));
      const message = Buffer.from(`message ${i}`);
      const signature = sign(digest, message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify(digest, message, { key: imported, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
      expect(verify(digest, Buffer.from('other'), { key: imported, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
    }
  });

  it('hands other key types to createPublicKey (Ed25519, RSA)', async () => {
    for (const pair of [generateKeyPairSync('ed25519'), generateKeyPairSync('rsa', { modulusLength: 2048 })]) {
      const jwk = exportPublicJwk(pair.publicKey);
      expect(exportPublicJwk(await importPublicJwk(jwk))).toEqual(jwk);
    }
  });

  it('refuses a point off the curve, as createPublicKey does', async () => {
    const { x, y } = exportPublicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const offCurve = { kty: 'EC', crv: 'P-256', x: y, y: x };
    expect(() => publicKeyFromJwk(offCurve)).toThrow();
    expect(await refusal(offCurve)).toBe('malformed');
  });

  it('refuses private keys, non-objects, unknown curves and coordinates that are not canonical base64url of the right size', async () => {
    const { x = '', y = '' } = exportPublicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const ok = { kty: 'EC', crv: 'P-256', x, y };
    await expect(importPublicJwk(ok)).resolves.toBeDefined();
    const bad: unknown[] = [
      null,
      'jwk',
      [ok],
      { ...ok, d: x },
      { ...ok, crv: 'P-257' },
      { ...ok, crv: 'constructor' },
      { ...ok, crv: 'secp256k1' },
      { ...ok, x: undefined },
      { ...ok, y: 42 },
      { ...ok, x: `${x}A` }, // 44 characters
      { ...ok, x: x.slice(1) }, // 42 characters
      { ...ok, x: `${x.slice(0, -1)}=` }, // padding
      { ...ok, x: `+${x.slice(1)}` }, // outside the base64url alphabet (Buffer would skip it)
      // 43 characters carry 258 bits; the 2 spare bits of the last character must be zero.
      { ...ok, x: withSpareBit(x) },
    ];
    expect(Buffer.from(withSpareBit(x), 'base64url')).toEqual(Buffer.from(x, 'base64url'));
    for (const jwk of bad) expect(await refusal(jwk)).toBe('malformed');
  });
});
