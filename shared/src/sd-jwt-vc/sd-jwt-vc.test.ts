import { describe, expect, it } from 'vitest';
import { signJws } from '../crypto/jws.js';
import { generateEs256KeyPair } from '../crypto/keys.js';
import type { ErrorCode } from '../errors.js';
import { IDENTITY_VCT, type IdentityRecord, identityClaims } from '../identity/schema.js';
import { asyncCodeOf } from '../testing/error-code.js';
import { samplePerson, TARO } from '../testing/person.js';
import { decodeSdJwt, disclosureDigest } from './decode.js';
import { issueSdJwtVc } from './issue.js';
import { presentSdJwtVc } from './present.js';
import { type VerifySdJwtVcOptions, verifySdJwtVc } from './verify.js';

const issuerKey = generateEs256KeyPair();
const holder = generateEs256KeyPair();
const now = new Date('2026-11-21T00:00:00Z');
const ISS = 'http://127.0.0.1:4000';

const record: IdentityRecord = samplePerson(TARO, ['phone_number']);

async function issue(): Promise<string> {
  return issueSdJwtVc(
    { kid: 'k1', privateKey: issuerKey.privateKey, publicJwk: issuerKey.publicJwk },
    {
      issuer: ISS,
      vct: IDENTITY_VCT,
      claims: identityClaims(record, now),
      visible: { verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2' } },
      holderJwk: holder.publicJwk,
      status: { idx: 3, uri: `${ISS}/status/1` },
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 86400_000),
      containersNotDisclosable: ['age_equal_or_over'],
    },
  );
}

const options = (over: Partial<VerifySdJwtVcOptions> = {}): VerifySdJwtVcOptions => ({
  now,
  resolveIssuerKey: () => issuerKey.publicKey,
  expectedNonce: 'n-0123456789abcdef',
  expectedAud: 'verifier',
  ...over,
});

const kb = { holderKey: holder.privateKey, nonce: 'n-0123456789abcdef', aud: 'verifier', iat: now };

/** Awaits a verification that must be refused with this stable code. */
async function expectCode(pending: Promise<unknown>, code: ErrorCode): Promise<void> {
  expect(await asyncCodeOf(pending)).toBe(code);
}

describe('SD-JWT VC issue → present → verify', () => {
  it('discloses only the age predicate for an age check', async () => {
    const vp = await presentSdJwtVc(await issue(), [['age_equal_or_over', '20']], kb);
    expect(decodeSdJwt(vp).disclosures).toHaveLength(1);
    const v = await verifySdJwtVc(vp, options());
    expect(v.claims.age_equal_or_over).toEqual({ '20': true });
    expect(v.claims.family_name).toBeUndefined();
    expect(v.keyBinding.present).toBe(true);
  });

  it('discloses a nested address part with its container only', async () => {
    const vp = await presentSdJwtVc(await issue(), [['family_name'], ['address', 'locality']], kb);
    const v = await verifySdJwtVc(vp, options());
    expect(v.claims.family_name).toBe('山田');
    expect(v.claims.address).toEqual({ locality: '千代田区' });
  });

  it('uses 128-bit salts', async () => {
    const { disclosures } = decodeSdJwt(await issue());
    for (const d of disclosures) expect(Buffer.from(d.salt, 'base64url').length).toBe(16);
  });

  it('rejects a tampered disclosure', async () => {
    const vp = await presentSdJwtVc(await issue(), [['family_name']], kb);
    const parts = vp.split('~');
    parts[1] = Buffer.from(JSON.stringify(['salt', 'family_name', '佐藤'])).toString('base64url');
    await expectCode(verifySdJwtVc(parts.join('~'), options()), 'disclosure_digest_mismatch');
  });

  it('rejects a repeated disclosure', async () => {
    const vp = await presentSdJwtVc(await issue(), [['family_name']], kb);
    const parts = vp.split('~');
    parts.splice(1, 0, parts[1] as string);
    await expectCode(verifySdJwtVc(parts.join('~'), options()), 'disclosure_duplicate');
  });

  it('rejects a bare JWT with no ~', async () => {
    const jwt = (await issue()).split('~')[0] as string;
    await expectCode(verifySdJwtVc(jwt, options()), 'malformed');
  });

  it('rejects wrong nonce, wrong audience and a foreign key binding', async () => {
    const cred = await issue();
    const vp = await presentSdJwtVc(cred, [['birthdate']], kb);
    await expectCode(verifySdJwtVc(vp, options({ expectedNonce: 'other-nonce-012345' })), 'kb_nonce_mismatch');
    await expectCode(verifySdJwtVc(vp, options({ expectedAud: 'someone-else' })), 'kb_aud_mismatch');
    const thief = await presentSdJwtVc(cred, [['birthdate']], { ...kb, holderKey: generateEs256KeyPair().privateKey });
    await expectCode(verifySdJwtVc(thief, options()), 'kb_signature_invalid');
  });

  it('requires key binding when a nonce is expected', async () => {
    const cred = await issue();
    await expectCode(verifySdJwtVc(cred, options()), 'kb_missing');
  });

  it('rejects an sd_hash over other disclosures', async () => {
    const cred = await issue();
    const vp = await presentSdJwtVc(cred, [['birthdate']], kb);
    const extra = decodeSdJwt(cred).disclosures.find((d) => d.name === 'gender');
    const parts = vp.split('~');
    parts.splice(1, 0, extra?.encoded as string);
    await expectCode(verifySdJwtVc(parts.join('~'), options()), 'kb_sd_hash_mismatch');
  });

  it('rejects expiry, signature by another key and alg none', async () => {
    const vp = await presentSdJwtVc(await issue(), [['birthdate']], { ...kb, iat: new Date(now.getTime() + 2 * 86400_000) });
    await expectCode(verifySdJwtVc(vp, options({ now: new Date(now.getTime() + 2 * 86400_000) })), 'expired');
    const other = generateEs256KeyPair();
    await expectCode(verifySdJwtVc(vp, options({ resolveIssuerKey: () => other.publicKey })), 'signature_invalid');
    const [h, p] = vp.split('.') as [string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const none = `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${p}.${vp.split('.')[2]}`;
    await expectCode(verifySdJwtVc(none, options()), 'unsupported_alg');
  });

  it('rejects a disclosure whose digest is not in the payload', async () => {
    const cred = await issue();
    const stray = Buffer.from(JSON.stringify(['c2FsdHNhbHRzYWx0', 'nickname', 'taro'])).toString('base64url');
    expect(disclosureDigest(stray)).toHaveLength(43);
    const vp = await presentSdJwtVc(cred, [['birthdate']], kb);
    const parts = vp.split('~');
    parts.splice(1, 0, stray);
    await expectCode(
      verifySdJwtVc(parts.join('~'), options({ expectedNonce: undefined, expectedAud: undefined })),
      'disclosure_digest_mismatch',
    );
  });

  it('refuses a signature made with an HMAC', async () => {
    const jws = signJws({ alg: 'ES256', typ: 'dc+sd-jwt' }, { iss: ISS, vct: IDENTITY_VCT }, issuerKey.privateKey);
    const [, p, s] = jws.split('.');
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'dc+sd-jwt' })).toString('base64url')}.${p}.${s}~`;
    await expectCode(verifySdJwtVc(hs, options({ expectedNonce: undefined, expectedAud: undefined })), 'unsupported_alg');
  });
});
