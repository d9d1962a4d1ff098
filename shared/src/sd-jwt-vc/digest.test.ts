import { createHash } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { Hasher } from '@sd-jwt/types';
import { describe, expect, it } from 'vitest';
import { signJws } from '../crypto/jws.js';
import { generateEs256KeyPair } from '../crypto/keys.js';
import { IDENTITY_VCT } from '../identity/schema.js';
import { asyncCodeOf } from '../testing/error-code.js';
import { nodeSigner, saltGenerator } from './capabilities.js';
import { decodeSdJwt, disclosureDigest } from './decode.js';
import { SD_ALGS, type SdAlg, sdDigest } from './digest.js';
import { issueSdJwtVcFast } from './fast-issue.js';
import { type IssueSdJwtVcInput, issueSdJwtVc } from './issue.js';
import { presentSdJwtVc } from './present.js';
import { verifySdJwtVc } from './verify.js';

const issuer = generateEs256KeyPair();
const holder = generateEs256KeyPair();
const now = new Date('2026-11-21T00:00:00Z');
const ISS = 'http://127.0.0.1:4000';
const key = { kid: 'k1', privateKey: issuer.privateKey, publicJwk: issuer.publicJwk };
const input = (sdAlg: SdAlg): IssueSdJwtVcInput => ({
  issuer: ISS,
  vct: IDENTITY_VCT,
  claims: { given_name: '花子', birthdate: '1990-01-01', address: { region: '京都府', locality: '京都市' } },
  holderJwk: holder.publicJwk,
  status: { idx: 1, uri: `${ISS}/status/1` },
  issuedAt: now,
  expiresAt: new Date(now.getTime() + 86400_000),
  sdAlg,
});
const kb = { holderKey: holder.privateKey, nonce: 'n-0123456789abcdef', aud: 'verifier', iat: now };
const verifyOpts = { now, resolveIssuerKey: () => issuer.publicKey, expectedNonce: kb.nonce, expectedAud: kb.aud };

/** Digest lengths in base64url characters: the bits of each alg, unpadded. */
const B64U_LENGTH: Record<SdAlg, number> = {
  'sha-256': 43,
  'sha-384': 64,
  'sha-512': 86,
  'sha3-256': 43,
  'sha3-384': 64,
  'sha3-512': 86,
};

/** An independent hasher through createHash (not the one-shot hash() the code uses). */
const NODE_NAMES: Record<SdAlg, string> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};
const referenceHasher: Hasher = (data, alg) =>
  new Uint8Array(
    createHash(NODE_NAMES[alg as SdAlg])
      .update(typeof data === 'string' ? data : Buffer.from(data))
      .digest(),
  );

describe('_sd_alg beyond sha-256 (RFC 9901 §4.1.1, IANA Named Information Hash Algorithm names)', () => {
  for (const alg of SD_ALGS) {
    it(`${alg}: issued by both issuers, presented with an sd_hash in ${alg}, verified`, async () => {
      for (const credential of [await issueSdJwtVc(key, input(alg)), issueSdJwtVcFast(key, input(alg))]) {
        const decoded = decodeSdJwt(credential);
        expect(decoded.issuerJws.payload._sd_alg).toBe(alg);
        expect(decoded.sdAlg).toBe(alg);
        for (const d of decoded.disclosures) expect(d.digest).toHaveLength(B64U_LENGTH[alg]);

        const vp = await presentSdJwtVc(credential, [['address', 'region']], kb);
        const verified = await verifySdJwtVc(vp, verifyOpts);
        expect(verified.claims.address).toEqual({ region: '京都府' });
        const sdHashInput = vp.slice(0, vp.lastIndexOf('~') + 1);
        expect((verified.keyBinding as unknown as { payload: { sd_hash: string } }).payload.sd_hash).toBe(sdDigest(alg, sdHashInput));
      }
    });
  }

  it('an SD-JWT VC issued and presented by the stock @sd-jwt library in sha3-384 verifies here', async () => {
    const lib = new SDJwtVcInstance({
      signer: nodeSigner(issuer.privateKey),
      signAlg: 'ES256',
      hasher: referenceHasher,
      hashAlg: 'sha3-384',
      saltGenerator,
      kbSigner: nodeSigner(holder.privateKey),
      kbSignAlg: 'ES256',
    });
    const credential = await lib.issue(
      {
        iss: ISS,
        vct: IDENTITY_VCT,
        iat: now.getTime() / 1000,
        cnf: { jwk: holder.publicJwk },
        given_name: '花子',
        birthdate: '1990-01-01',
      },
      { _sd: ['given_name', 'birthdate'] },
      { header: { typ: 'dc+sd-jwt', kid: 'k1' } },
    );
    const vp = await lib.present(
      credential,
      { birthdate: true },
      { kb: { payload: { iat: now.getTime() / 1000, aud: kb.aud, nonce: kb.nonce } } },
    );
    const verified = await verifySdJwtVc(vp, verifyOpts);
    expect(verified.claims.birthdate).toBe('1990-01-01');
    expect(verified.claims.given_name).toBeUndefined();
  });

  it('a key binding whose sd_hash is SHA-256 over a sha-512 credential is refused (kb_sd_hash_mismatch)', async () => {
    const credential = await issueSdJwtVc(key, input('sha-512'));
    const vp = await presentSdJwtVc(credential, [['birthdate']], kb);
    const sdPart = vp.slice(0, vp.lastIndexOf('~') + 1);
    const kbJwt = signJws(
      { typ: 'kb+jwt', alg: 'ES256' },
      { nonce: kb.nonce, aud: kb.aud, iat: now.getTime() / 1000, sd_hash: sdDigest('sha-256', sdPart) },
      holder.privateKey,
    );
    expect(await asyncCodeOf(verifySdJwtVc(sdPart + kbJwt, verifyOpts))).toBe('kb_sd_hash_mismatch');
  });

  it('digests in one alg under an _sd_alg naming another do not match (disclosure_digest_mismatch)', async () => {
    const disclosure = Buffer.from(JSON.stringify(['c2FsdHNhbHRzYWx0c2FsdA', 'birthdate', '1990-01-01'])).toString('base64url');
    const payload = { iss: ISS, vct: IDENTITY_VCT, iat: 1, _sd: [disclosureDigest(disclosure, 'sha-256')], _sd_alg: 'sha3-256' };
    const jwt = signJws({ typ: 'dc+sd-jwt', alg: 'ES256', kid: 'k1' }, payload, issuer.privateKey);
    const opts = { now, resolveIssuerKey: () => issuer.publicKey };
    expect(await asyncCodeOf(verifySdJwtVc(`${jwt}~${disclosure}~`, opts))).toBe('disclosure_digest_mismatch');
    const right = signJws({ typ: 'dc+sd-jwt', alg: 'ES256', kid: 'k1' }, { ...payload, _sd_alg: 'sha-256' }, issuer.privateKey);
    expect(await asyncCodeOf(verifySdJwtVc(`${right}~${disclosure}~`, opts))).toBe('no error');
  });

  it('other names, truncated digests and other spellings stay refused with unsupported_alg', async () => {
    const disclosure = Buffer.from(JSON.stringify(['c2FsdHNhbHRzYWx0c2FsdA', 'birthdate', '1990-01-01'])).toString('base64url');
    for (const sdAlg of ['sha-256-128', 'sha3-224', 'blake2b-256', 'md5', 'SHA-256', 'sha256', 'sha-1', '', 42, null, { toString: 1 }]) {
      const payload = { iss: ISS, vct: IDENTITY_VCT, iat: 1, _sd: [disclosureDigest(disclosure)], _sd_alg: sdAlg };
      const jwt = signJws({ typ: 'dc+sd-jwt', alg: 'ES256', kid: 'k1' }, payload, issuer.privateKey);
      expect(await asyncCodeOf(verifySdJwtVc(`${jwt}~${disclosure}~`, { now, resolveIssuerKey: () => issuer.publicKey }))).toBe(
        'unsupported_alg',
      );
    }
  });

  it('the fast issuer refuses an sdAlg that is not one of SD_ALGS before writing it into the payload', () => {
    expect(() => issueSdJwtVcFast(key, { ...input('sha-256'), sdAlg: 'sha-1","x":"' as SdAlg })).toThrow(/SD_ALGS/);
  });
});
