import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { describe, expect, it } from 'vitest';
import { generateEs256KeyPair } from '../crypto/keys.js';
import { IDENTITY_VCT, type IdentityRecord, identityClaims } from '../identity/schema.js';
import { samplePerson } from '../testing/person.js';
import { sha256Hasher } from './capabilities.js';
import { decodeSdJwt } from './decode.js';
import { issueSdJwtVcFast } from './fast-issue.js';
import { type IssueSdJwtVcInput, issueSdJwtVc } from './issue.js';
import { presentSdJwtVc } from './present.js';
import { verifySdJwtVc } from './verify.js';

const issuer = generateEs256KeyPair();
const holder = generateEs256KeyPair();
const now = new Date('2026-11-21T00:00:00Z');
const record: IdentityRecord = samplePerson({
  family_name: '佐藤',
  given_name: '一郎',
  family_name_kana: 'サトウ',
  given_name_kana: 'イチロウ',
  birthdate: '1950-01-02',
  gender: 'male',
  address: { postal_code: '530-0001', region: '大阪府', locality: '大阪市北区', street_address: '梅田1-1', country: 'JP' },
  phone_number: '+81-90-0000-0000',
});
const input: IssueSdJwtVcInput = {
  issuer: 'http://127.0.0.1:4000',
  vct: IDENTITY_VCT,
  claims: identityClaims(record, now),
  visible: { verification: { trust_framework: 'jp_aml', assurance_level: 'IAL3' } },
  holderJwk: holder.publicJwk,
  status: { idx: 42, uri: 'http://127.0.0.1:4000/status-lists/1' },
  issuedAt: now,
  expiresAt: new Date(now.getTime() + 365 * 86400_000),
  containersNotDisclosable: ['age_equal_or_over'],
};
const key = { kid: 'k1', privateKey: issuer.privateKey, publicJwk: issuer.publicJwk };
const verifyOpts = { now, resolveIssuerKey: () => issuer.publicKey };

describe('issueSdJwtVcFast', () => {
  it('yields the same claims, disclosures and visible payload as the @sd-jwt path', async () => {
    const fast = await verifySdJwtVc(issueSdJwtVcFast(key, input), verifyOpts);
    const stock = await verifySdJwtVc(await issueSdJwtVc(key, input), verifyOpts);
    expect(fast.claims).toEqual(stock.claims);
    expect(fast.header).toEqual(stock.header);
    expect(fast.disclosures.map((d) => d.name).sort()).toEqual(stock.disclosures.map((d) => d.name).sort());
    expect(fast.payload.age_equal_or_over).toBeDefined();
    expect(fast.payload.family_name).toBeUndefined();
  });

  it('verifies with the @sd-jwt library and presents selectively', async () => {
    const credential = issueSdJwtVcFast(key, input);
    const lib = new SDJwtVcInstance({
      hasher: sha256Hasher,
      verifier: async () => true,
    });
    const claims = (await lib.validate(credential)).payload as Record<string, unknown>;
    expect(claims.given_name).toBe('一郎');
    const vp = await presentSdJwtVc(credential, [['address', 'region']], {
      holderKey: holder.privateKey,
      nonce: 'n'.repeat(16),
      aud: 'v',
      iat: now,
    });
    const v = await verifySdJwtVc(vp, { ...verifyOpts, expectedNonce: 'n'.repeat(16), expectedAud: 'v' });
    expect(v.claims.address).toEqual({ region: '大阪府' });
    expect(v.claims.age_equal_or_over).toEqual({});
  });

  it('writes the same visible payload members as the @sd-jwt path, with or without visible claims', async () => {
    const without = { ...input, visible: undefined };
    for (const variant of [input, without, { ...input, visible: {} }]) {
      const fast = decodeSdJwt(issueSdJwtVcFast(key, variant)).issuerJws.payload;
      const stock = decodeSdJwt(await issueSdJwtVc(key, variant)).issuerJws.payload;
      const { _sd: fastDigests, age_equal_or_over: fastAges, ...fastRest } = fast as Record<string, unknown>;
      const { _sd: stockDigests, age_equal_or_over: stockAges, ...stockRest } = stock as Record<string, unknown>;
      expect(fastRest).toEqual(stockRest);
      expect((fastDigests as string[]).length).toBe((stockDigests as string[]).length);
      expect((fastAges as { _sd: string[] })._sd.length).toBe((stockAges as { _sd: string[] })._sd.length);
    }
  });

  it('leaves out claims whose value is undefined, as JSON does', async () => {
    const claims = { ...input.claims, phone_number: undefined, address: { region: '大阪府', locality: undefined } };
    const v = await verifySdJwtVc(issueSdJwtVcFast(key, { ...input, claims }), verifyOpts);
    expect(v.claims).not.toHaveProperty('phone_number');
    expect(v.claims.address).toEqual({ region: '大阪府' });
  });

  it('refuses a visible claim that would collide with a payload or disclosable claim name', () => {
    expect(() => issueSdJwtVcFast(key, { ...input, visible: { iss: 'https://elsewhere.example' } })).toThrow(/collide/);
    expect(() => issueSdJwtVcFast(key, { ...input, visible: { given_name: 'x' } })).toThrow(/collide/);
  });

  it('draws a distinct salt of at least 128 bits for every disclosure', () => {
    const { disclosures } = decodeSdJwt(issueSdJwtVcFast(key, input));
    const salts = disclosures.map((d) => d.salt);
    expect(new Set(salts).size).toBe(salts.length);
    for (const s of salts) expect(Buffer.from(s, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(disclosures).toHaveLength(17);
  });
});
