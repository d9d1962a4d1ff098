import { decodeSdJwt, reconstructClaims } from '@shomei/shared';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, jsonRequest, redeemOfferUri, START } from '../../testing/harness.js';
import { type JpkiWorld, jpkiWorld, signChallenge, startJpki, submitJpki } from '../../testing/jpki-fixtures.js';
import { createTestCa, issueApplicantCertificate } from './test-ca.js';

let world: JpkiWorld;
let h: Harness | undefined;
beforeAll(async () => {
  world = await jpkiWorld(START);
}, 60_000);
afterEach(() => h?.close());

async function harness(): Promise<Harness> {
  h = await createHarness({ proofing: { jpki: world.trust } });
  return h;
}

async function expectRefused(res: Response, code: string): Promise<void> {
  const body = (await res.json()) as { code: string; detail: string };
  expect(body.code, body.detail).toBe(code);
}

describe('jpki applications', () => {
  it('approve a good certificate at IAL3 and issue a credential with jpki evidence and the certificate attributes', async () => {
    const h = await harness();
    const cert = await world.applicant();
    const app = await startJpki(h);
    expect(app.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await submitJpki(h, app, [cert.certPem], signChallenge(cert.keyPem, app.challenge));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'approved', assurance_level: 'IAL3', method: 'jpki', offers_left: 3 });

    const status = await jsonRequest(h, 'GET', `/v1/applications/${app.id}`, undefined, app.secret);
    expect(await status.json()).toMatchObject({ state: 'approved' });
    const offer = (await (await jsonRequest(h, 'POST', `/v1/applications/${app.id}/offer`, undefined, app.secret)).json()) as {
      offer_uri: string;
      tx_code: string;
    };
    const { credential } = await redeemOfferUri(h, offer.offer_uri, offer.tx_code);
    const decoded = decodeSdJwt(credential);
    const claims = reconstructClaims(decoded.issuerJws.payload, decoded.disclosures) as Record<string, unknown>;
    expect(claims).toMatchObject({
      family_name: '山田',
      given_name: '太郎',
      'family_name#ja-Kana-JP': 'ヤマダ',
      birthdate: '1991-08-14',
      gender: 'male',
      address: { postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1' },
      verification: { assurance_level: 'IAL3', trust_framework: 'jp_aml', evidence: [{ type: 'jpki', method: 'jpki' }] },
    });
    expect(claims.verification).not.toHaveProperty('sandbox');
  });

  it('refuse an expired certificate with certificate_expired', async () => {
    const h = await harness();
    const cert = await world.applicant(undefined, {
      notBefore: new Date(START.getTime() - 400 * 86_400_000),
      notAfter: new Date(START.getTime() - 86_400_000),
    });
    const app = await startJpki(h);
    const res = await submitJpki(h, app, [cert.certPem], signChallenge(cert.keyPem, app.challenge));
    expect(res.status).toBe(400);
    await expectRefused(res, 'certificate_expired');
    expect(await (await jsonRequest(h, 'GET', `/v1/applications/${app.id}`, undefined, app.secret)).json()).toMatchObject({
      state: 'refused',
      reason: 'certificate_expired',
    });
  });

  it('refuse a certificate from an unknown CA with certificate_untrusted', async () => {
    const h = await harness();
    const { ca: rogue } = await createTestCa({ name: 'CN=Shomei Test JPKI Signing CA, OU=TEST ONLY, O=Shomei, C=JP', now: START });
    const cert = await issueApplicantCertificate(rogue, {
      name: '山田 太郎',
      gender: '1',
      birthdate: '19910814',
      address: '東京都千代田区千代田1-1',
    });
    const app = await startJpki(h);
    const res = await submitJpki(h, app, [cert.certPem, rogue.cert.toString('pem')], signChallenge(cert.keyPem, app.challenge));
    await expectRefused(res, 'certificate_untrusted');
  });

  it('refuse a certificate listed on the CRL with certificate_revoked', async () => {
    const h = await harness();
    const cert = await world.applicant();
    world.revoked.push({ serial: cert.serial, date: new Date(START.getTime() - 3600_000).toISOString() });
    await world.publish();
    world.trust.crls.invalidate();
    try {
      const app = await startJpki(h);
      const res = await submitJpki(h, app, [cert.certPem], signChallenge(cert.keyPem, app.challenge));
      await expectRefused(res, 'certificate_revoked');
    } finally {
      world.revoked.length = 0;
      await world.publish();
      world.trust.crls.invalidate();
    }
  });

  it('refuse a wrong challenge signature with challenge_signature_invalid', async () => {
    const h = await harness();
    const cert = await world.applicant();
    const other = await world.applicant();
    const app = await startJpki(h);
    // signed by another certificate's key
    await expectRefused(
      await submitJpki(h, app, [cert.certPem], signChallenge(other.keyPem, app.challenge)),
      'challenge_signature_invalid',
    );
    // the right key over another challenge
    const app2 = await startJpki(h);
    await expectRefused(
      await submitJpki(h, app2, [cert.certPem], signChallenge(cert.keyPem, app.challenge), app.challenge),
      'challenge_signature_invalid',
    );
  });

  it('refuse a reused challenge with challenge_used (409)', async () => {
    const h = await harness();
    const cert = await world.applicant();
    const app = await startJpki(h);
    const signature = signChallenge(cert.keyPem, app.challenge);
    expect((await submitJpki(h, app, [cert.certPem], signature)).status).toBe(200);
    const again = await submitJpki(h, app, [cert.certPem], signature);
    expect(again.status).toBe(409);
    await expectRefused(again, 'challenge_used');
  });

  it('refuse an expired challenge, a wrong application secret and a certificate without signing key usage', async () => {
    const h = await harness();
    const cert = await world.applicant();
    const late = await startJpki(h);
    h.advance(301);
    await expectRefused(await submitJpki(h, late, [cert.certPem], signChallenge(cert.keyPem, late.challenge)), 'challenge_expired');
    const app = await startJpki(h);
    const wrong = await submitJpki(h, { ...app, secret: 'x'.repeat(43) }, [cert.certPem], signChallenge(cert.keyPem, app.challenge));
    expect(wrong.status).toBe(401);
    const { x509 } = await import('./x509.js');
    const enc = await world.applicant(undefined, { keyUsage: x509.KeyUsageFlags.keyEncipherment });
    await expectRefused(await submitJpki(h, app, [enc.certPem], signChallenge(enc.keyPem, app.challenge)), 'certificate_invalid');
  });

  it('rate-limit new applications per client', async () => {
    h = await createHarness({ proofing: { jpki: world.trust }, settings: { applicationsPerMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await jsonRequest(h, 'POST', '/v1/applications', { method: 'jpki' })).status).toBe(201);
    const limited = await jsonRequest(h, 'POST', '/v1/applications', { method: 'jpki' });
    expect(limited.status).toBe(429);
    h.advance(61);
    expect((await jsonRequest(h, 'POST', '/v1/applications', { method: 'jpki' })).status).toBe(201);
  });
});
