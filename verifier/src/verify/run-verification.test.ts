import { describe, expect, it } from 'vitest';
import { present } from '../testing/issuer-stand-in.js';
import { AUD, kb, NONCE, now, useVerificationFixture } from '../testing/verification-fixture.js';
import type { VerifySettings } from '../trust/trust-service.js';
import { runVerification } from './run-verification.js';
import type { VerificationSources } from './sources.js';

const fx = useVerificationFixture();
const sources = (settings?: VerifySettings): VerificationSources & { now: () => Date } => ({
  // The fixture's TrustStore, with the trust settings a TrustService would add.
  trust: settings ? Object.assign(Object.create(fx.trust) as typeof fx.trust, { settings: () => settings }) : fx.trust,
  statusLists: fx.statusLists,
  now,
});
const asked = { expectedNonce: NONCE, expectedAud: AUD };
/** The fixture's status lists, each read as stale. */
const staleLists = (): VerificationSources['statusLists'] => ({
  lookup: (uri, iss, at) => fx.statusLists.lookup(uri, iss, at),
  lookupEntry: (uri, iss, at) => {
    const list = fx.statusLists.lookup(uri, iss, at);
    return list ? { list, stale: true } : undefined;
  },
  ensure: async () => {},
  needsFetch: () => false,
});

describe('runVerification', () => {
  it('match mode: per-field matches and no values in the result; the claims seen come back for the evidence', async () => {
    const vp = await present(await fx.issuer.issue(), [['family_name'], ['given_name'], ['birthdate'], ['gender']], kb);
    const { result, disclosed } = await runVerification(sources(), {
      ...asked,
      presentation: vp,
      record: { name: '山田 太郎', birthdate: '1991/8/15' },
    });
    expect(result).toMatchObject({ valid: true, disclosed: {}, matches: { name: true, birthdate: false } });
    // The record's claims were asked for, so minimization kept them and dropped the rest.
    expect(disclosed).toEqual({ family_name: '山田', given_name: '太郎', birthdate: '1991-08-14' });
    expect(result.warnings?.map((w) => w.code)).toEqual(['extra_claims_dropped']);
  });

  it('match mode on an invalid presentation: no matches, nothing seen', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], { ...kb, nonce: 'another' });
    const { result, disclosed } = await runVerification(sources(), { ...asked, presentation: vp, record: { birthdate: '1991-08-14' } });
    expect(result).toMatchObject({ valid: false, disclosed: {}, matches: {} });
    expect(result.errors.map((e) => e.code)).toEqual(['kb_nonce_mismatch']);
    expect(disclosed).toEqual({});
  });

  it('verifies under the trust settings; a setting given for the check overrides them', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const settings = { staleAfterSeconds: 300, staleStatus: 'reject', statusRequired: true } as const;
    const es384Only = await runVerification(sources({ ...settings, allowedAlgs: ['ES384'] }), { ...asked, presentation: vp });
    expect(es384Only.result.errors.map((e) => e.code)).toEqual(['unsupported_alg']);
    // Every list reads as stale (its refresh failed): the trust settings reject it, the check's own policy accepts it.
    const stale = { ...sources({ ...settings, allowedAlgs: ['ES256'] }), statusLists: staleLists() };
    const rejected = await runVerification(stale, { ...asked, presentation: vp });
    expect(rejected.result.errors.map((e) => e.code)).toEqual(['status_unavailable']);
    const accepted = await runVerification(stale, { ...asked, presentation: vp, staleStatus: 'accept' });
    expect(accepted.result).toMatchObject({ valid: true, status: 'valid', disclosed: { birthdate: '1991-08-14' } });
    expect(accepted.result.warnings?.map((w) => w.code)).toEqual(['status_stale']);
  });
});
