import { IDENTITY_VCT, type KeyPair, STATUS } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { HOLDER } from '../testing/issuer-stand-in.js';
import { buildSdJwt } from '../testing/sd-jwt-builder.js';
import { kb, NOW, pinnedTrustStore, useVerificationFixture } from '../testing/verification-fixture.js';
import { TrustService } from '../trust/trust-service.js';
import { parseTrustConfig } from '../trust/z-trust-config.js';
import { verifyPresentation } from './verify-presentation.js';

const fx = useVerificationFixture({ statuses: [[1, STATUS.INVALID]] });
const { options } = fx;
const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);
const warnings = (r: { warnings?: { code: string }[] }) => (r.warnings ?? []).map((w) => w.code);

/** A credential of the fixture's issuer with these visible claims (a `status` among them, or none). */
function presentation(visible: Record<string, unknown> = {}): string {
  return buildSdJwt({
    header: { alg: 'ES256', typ: 'dc+sd-jwt', kid: fx.issuer.kid },
    issuerKey: fx.issuer.key.privateKey,
    visible: { iss: fx.issuer.iss, vct: IDENTITY_VCT, iat: Math.floor(NOW.getTime() / 1000) - 60, ...visible },
    disclosable: { birthdate: '1991-08-14' },
    holder: HOLDER as KeyPair,
  }).present(['birthdate'], kb);
}

describe('SD-JWT VC status is OPTIONAL (draft-ietf-oauth-sd-jwt-vc §3.2.2.2)', () => {
  it('without a status claim and required (the default): status_unavailable, as before', async () => {
    const r = await verifyPresentation(presentation(), options());
    expect(codes(r)).toEqual(['status_unavailable']);
    expect(r.status).toBe('unknown');
    expect(r.valid).toBe(false);
  });

  it('without a status claim and not required: valid, status "none", warning status_absent', async () => {
    const r = await verifyPresentation(presentation(), options({ statusRequired: false }));
    expect(codes(r)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.status).toBe('none');
    expect(warnings(r)).toEqual(['status_absent']);
    expect(r.disclosed).toEqual({ birthdate: '1991-08-14' });
  });

  it('a status claim that is there is still checked when not required: revoked stays revoked', async () => {
    const r = await verifyPresentation(
      presentation({ status: { status_list: { idx: 1, uri: fx.issuer.statusUri } } }),
      options({ statusRequired: false }),
    );
    expect(codes(r)).toEqual(['revoked']);
    expect(r.status).toBe('revoked');
  });

  it('a malformed status claim is an error even when status is not required', async () => {
    for (const status of [null, 'valid', 1, {}, { status_list: { idx: '1', uri: fx.issuer.statusUri } }, { status_list: { idx: 1 } }]) {
      const r = await verifyPresentation(presentation({ status }), options({ statusRequired: false }));
      expect(codes(r)).toEqual(['status_unavailable']);
      expect(r.status).toBe('unknown');
    }
  });

  it("the issuer's own trust entry wins over the service-wide setting, both ways", async () => {
    const optionalHere = pinnedTrustStore(fx.issuer, { status: { required: false } });
    const r1 = await verifyPresentation(presentation(), options({ trust: optionalHere, statusRequired: true }));
    expect([r1.valid, r1.status, warnings(r1)]).toEqual([true, 'none', ['status_absent']]);
    const requiredHere = pinnedTrustStore(fx.issuer, { status: { required: true } });
    const r2 = await verifyPresentation(presentation(), options({ trust: requiredHere, statusRequired: false }));
    expect(codes(r2)).toEqual(['status_unavailable']);
  });

  it('trust file: status.required service-wide (default true) and per issuer parse; other values are refused', () => {
    const iss = 'https://issuer.example.jp';
    const service = (status?: object) =>
      new TrustService(parseTrustConfig({ issuers: [], ...(status ? { status } : {}) }), { now: () => NOW });
    expect(service().settings().statusRequired).toBe(true);
    expect(service({ required: false }).settings().statusRequired).toBe(false);
    const perIssuer = parseTrustConfig({ issuers: [{ iss, discover: true, status: { required: false } }] });
    expect(new TrustService(perIssuer, { now: () => NOW }).issuerPolicy(iss, NOW)).toMatchObject({ statusRequired: false });
    expect(() => parseTrustConfig({ issuers: [], status: { required: 'no' } })).toThrow();
    expect(() => parseTrustConfig({ issuers: [{ iss, discover: true, status: { required: false, x: 1 } }] })).toThrow();
  });
});
