import { generateEs256KeyPair, IDENTITY_VCT, issueSdJwtVc, presentSdJwtVc, STATUS } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { StatusListCache } from '../status/status-list-cache.js';
import { ADDRESS_PATHS, HOLDER, present } from '../testing/issuer-stand-in.js';
import { kb, NOW, now, useVerificationFixture } from '../testing/verification-fixture.js';
import { verifyPresentation } from './verify-presentation.js';

// Index 1 of the issuer's status list is revoked, index 2 suspended.
const fx = useVerificationFixture({
  statuses: [
    [1, STATUS.INVALID],
    [2, STATUS.SUSPENDED],
  ],
});
const { options } = fx;

const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);

describe('verifyPresentation', () => {
  it('accepts an age check and discloses only age_equal_or_over.20', async () => {
    const vp = await present(await fx.issuer.issue(), [['age_equal_or_over', '20']], kb);
    const r = await verifyPresentation(vp, options({ requiredPaths: [['age_equal_or_over', '20']] }));
    expect(r).toEqual({
      valid: true,
      errors: [],
      issuer: fx.issuer.iss,
      vct: IDENTITY_VCT,
      assurance_level: 'IAL2',
      disclosed: { age_equal_or_over: { '20': true } },
      status: 'valid',
      checked_at: NOW.toISOString(),
      key_binding: 'verified',
    });
  });

  it('accepts identity_basic with name, birthdate and the whole address', async () => {
    const paths = [['family_name'], ['given_name'], ['birthdate'], ['address'], ...ADDRESS_PATHS];
    const vp = await present(await fx.issuer.issue(), paths, kb);
    const r = await verifyPresentation(vp, options({ requiredPaths: [['family_name'], ['given_name'], ['birthdate'], ['address']] }));
    expect(codes(r)).toEqual([]);
    expect(Object.keys(r.disclosed).sort()).toEqual(['address', 'birthdate', 'family_name', 'given_name']);
    expect(r.disclosed.family_name).toBe('山田');
    expect(r.disclosed.address).toMatchObject({ region: '東京都', locality: '千代田区', formatted: '〒100-0001 東京都千代田区千代田1-1' });
  });

  it('reports a tampered disclosure as disclosure_digest_mismatch', async () => {
    const vp = await present(await fx.issuer.issue(), [['family_name']], kb);
    const parts = vp.split('~');
    parts[1] = Buffer.from(JSON.stringify(['c2FsdHNhbHRzYWx0c2FsdA', 'family_name', '佐藤'])).toString('base64url');
    const r = await verifyPresentation(parts.join('~'), options());
    expect(r.valid).toBe(false);
    expect(codes(r)).toEqual(['disclosure_digest_mismatch']);
    expect(r.disclosed).toEqual({});
  });

  it('reports a key binding for another nonce as kb_nonce_mismatch', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], { ...kb, nonce: 'c29tZS1vdGhlci1ub25jZS0xMjM0NTY' });
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['kb_nonce_mismatch']);
  });

  it('reports a key binding for another verifier as kb_aud_mismatch', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], { ...kb, aud: 'decentralized_identifier:did:web:evil.example' });
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['kb_aud_mismatch']);
  });

  it('requires key binding when a nonce is expected (kb_missing)', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const withoutKb = `${vp.slice(0, vp.lastIndexOf('~'))}~`;
    expect(codes(await verifyPresentation(withoutKb, options()))).toEqual(['kb_missing']);
  });

  it('reports a credential from an issuer outside the trust configuration as untrusted_issuer', async () => {
    const rogue = generateEs256KeyPair();
    const credential = await issueSdJwtVc(
      { kid: 'rogue', privateKey: rogue.privateKey, publicJwk: rogue.publicJwk },
      {
        issuer: 'http://127.0.0.1:9',
        vct: IDENTITY_VCT,
        claims: { age_equal_or_over: { '20': true } },
        holderJwk: HOLDER.publicJwk,
        status: { idx: 0, uri: 'http://127.0.0.1:9/status-lists/1' },
        issuedAt: new Date(NOW.getTime() - 1000),
        expiresAt: new Date(NOW.getTime() + 86_400_000),
        containersNotDisclosable: ['age_equal_or_over'],
      },
    );
    const r = await verifyPresentation(await present(credential, [['age_equal_or_over', '20']], kb), options());
    expect(codes(r)).toEqual(['untrusted_issuer']);
    expect(r.issuer).toBeNull();
  });

  it('reports a credential signed by another key under a trusted iss as untrusted_issuer (unknown kid)', async () => {
    const impostor = generateEs256KeyPair();
    const credential = await issueSdJwtVc(
      { kid: 'other-kid', privateKey: impostor.privateKey, publicJwk: impostor.publicJwk },
      {
        issuer: fx.issuer.iss,
        vct: IDENTITY_VCT,
        claims: { birthdate: '1991-08-14' },
        holderJwk: HOLDER.publicJwk,
        status: { idx: 0, uri: fx.issuer.statusUri },
        issuedAt: new Date(NOW.getTime() - 1000),
        expiresAt: new Date(NOW.getTime() + 86_400_000),
      },
    );
    expect(codes(await verifyPresentation(await present(credential, [['birthdate']], kb), options()))).toEqual(['untrusted_issuer']);
  });

  it('reports a revoked credential (status 1) as revoked', async () => {
    const vp = await present(await fx.issuer.issue({ idx: 1 }), [['birthdate']], kb);
    const r = await verifyPresentation(vp, options());
    expect(codes(r)).toEqual(['revoked']);
    expect(r.status).toBe('revoked');
    expect(r.valid).toBe(false);
    expect(r.disclosed).toEqual({});
  });

  it('reports a suspended credential (status 2) as suspended', async () => {
    const vp = await present(await fx.issuer.issue({ idx: 2 }), [['birthdate']], kb);
    const r = await verifyPresentation(vp, options());
    expect(codes(r)).toEqual(['suspended']);
    expect(r.status).toBe('suspended');
  });

  it('reports status_unavailable when the status list is not in the cache', async () => {
    const empty = new StatusListCache({ trust: fx.trust, now });
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const r = await verifyPresentation(vp, options({ statusLists: empty }));
    expect(codes(r)).toEqual(['status_unavailable']);
    expect(r.status).toBe('unknown');
  });

  it('reports a requested claim that was not disclosed as claim_missing', async () => {
    const vp = await present(await fx.issuer.issue(), [['age_equal_or_over', '20']], kb);
    const r = await verifyPresentation(vp, options({ requiredPaths: [['age_equal_or_over', '20'], ['birthdate']] }));
    expect(r.errors).toEqual([{ code: 'claim_missing', message: 'the requested claim birthdate was not disclosed' }]);
  });

  it('counts an address disclosed without any of its parts as claim_missing', async () => {
    const vp = await present(await fx.issuer.issue(), [['address']], kb);
    expect(codes(await verifyPresentation(vp, options({ requiredPaths: [['address']] })))).toEqual(['claim_missing']);
  });

  it('reports an expired credential as expired', async () => {
    const issuedAt = new Date(NOW.getTime() - 400 * 86_400_000);
    const credential = await fx.issuer.issue({ issuedAt, expiresAt: new Date(NOW.getTime() - 86_400_000) });
    expect(codes(await verifyPresentation(await present(credential, [['birthdate']], kb), options()))).toEqual(['expired']);
  });

  it('reports another credential type as vct_not_allowed', async () => {
    const vp = await present(await fx.issuer.issue({ vct: 'urn:example:other' }), [['birthdate']], kb);
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['vct_not_allowed']);
  });

  it('marks a sandbox credential', async () => {
    const vp = await present(await fx.issuer.issue({ sandbox: true }), [['birthdate']], kb);
    const r = await verifyPresentation(vp, options());
    expect(r.valid).toBe(true);
    expect(r.sandbox).toBe(true);
  });

  it('reports a repeated disclosure as disclosure_duplicate', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const parts = vp.split('~');
    parts.splice(1, 0, parts[1] as string);
    expect(codes(await verifyPresentation(parts.join('~'), options()))).toEqual(['disclosure_duplicate']);
  });

  it('reports a key binding signed by a key other than the bound one as kb_signature_invalid', async () => {
    const thief = generateEs256KeyPair();
    const vp = await presentSdJwtVc(await fx.issuer.issue(), [['birthdate']], { holderKey: thief.privateKey, ...kb });
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['kb_signature_invalid']);
  });

  it('reports a key binding made more than 5 minutes ago as kb_iat_invalid', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], { ...kb, iat: new Date(NOW.getTime() - 301_000) });
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['kb_iat_invalid']);
  });

  it('reports a credential issued in the future as not_yet_valid', async () => {
    const vp = await present(await fx.issuer.issue({ issuedAt: new Date(NOW.getTime() + 3600_000) }), [['birthdate']], kb);
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['not_yet_valid']);
  });

  it('never throws on garbage, answering malformed', async () => {
    for (const input of ['', 'abc', 'a.b.c~', '~~~', `${'x'.repeat(10)}~`, '\u0000']) {
      const r = await verifyPresentation(input, options());
      expect(r.valid).toBe(false);
      expect(codes(r)).toEqual(['malformed']);
    }
  });
});
