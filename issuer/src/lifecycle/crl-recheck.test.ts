import { decodeSdJwt, StatusList } from '@shomei/shared';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCredential } from '../store/credentials.js';
import { createHarness, type Harness, issueOne, jsonRequest, redeemOfferUri, START } from '../testing/harness.js';
import { adminToken, type JpkiWorld, jpkiWorld, signChallenge, startJpki, submitJpki } from '../testing/jpki-fixtures.js';
import { recheckCrls } from './crl-recheck.js';

let world: JpkiWorld;
let h: Harness;
beforeAll(async () => {
  world = await jpkiWorld(START);
}, 60_000);
afterEach(async () => {
  h.close();
  world.revoked.length = 0;
  await world.publish();
  world.trust.crls.invalidate();
});

async function jpkiCredential(): Promise<{ credential: string; serial: string; id: string }> {
  const cert = await world.applicant();
  const app = await startJpki(h);
  expect((await submitJpki(h, app, [cert.certPem], signChallenge(cert.keyPem, app.challenge))).status).toBe(200);
  const offer = (await (await jsonRequest(h, 'POST', `/v1/applications/${app.id}/offer`, undefined, app.secret)).json()) as {
    offer_uri: string;
    tx_code: string;
  };
  const { credential } = await redeemOfferUri(h, offer.offer_uri, offer.tx_code);
  const idx = (decodeSdJwt(credential).issuerJws.payload.status as { status_list: { idx: number } }).status_list.idx;
  const row = h.db.prepare('SELECT id FROM credentials WHERE status_idx = ?').get(idx) as { id: string };
  return { credential, serial: cert.serial, id: row.id };
}

async function servedStatus(credential: string): Promise<number> {
  const idx = (decodeSdJwt(credential).issuerJws.payload.status as { status_list: { idx: number } }).status_list.idx;
  const token = await (await h.app.request('/status-lists/1')).text();
  const { bits, lst } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).status_list;
  return StatusList.decode(bits, lst).get(idx);
}

describe('CRL re-check', () => {
  it('revokes the credentials issued on a certificate that the CRL newly lists, recording why', async () => {
    h = await createHarness({ proofing: { jpki: world.trust } });
    const listed = await jpkiCredential();
    const kept = await jpkiCredential();
    const sandbox = await issueOne(h);
    expect(await recheckCrls(h.deps)).toMatchObject({ checked_certificates: 2, revoked_credentials: [] });

    world.revoked.push({ serial: listed.serial, date: START.toISOString() });
    await world.publish();
    const result = await recheckCrls(h.deps);
    expect(result).toMatchObject({ checked_certificates: 2, revoked_credentials: [listed.id], unavailable: 0 });
    expect(await findCredential(h.deps.sql, listed.id)).toMatchObject({ status: 'revoked' });
    expect(((await findCredential(h.deps.sql, listed.id)) as unknown as { status_reason: string }).status_reason).toContain(listed.serial);
    expect((await findCredential(h.deps.sql, kept.id))?.status).toBe('valid');
    expect(await servedStatus(listed.credential)).toBe(1);
    expect(await servedStatus(kept.credential)).toBe(0);
    expect(await servedStatus(sandbox.credential)).toBe(0);
    const audit = h.db.prepare("SELECT actor, data FROM audit_log WHERE action = 'credential.revoked'").all() as {
      actor: string;
      data: string;
    }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toBe('system');
    expect(JSON.parse(audit[0]?.data as string).reason).toMatch(/listed on its CA's CRL/);
    // A second run finds nothing more to do.
    expect((await recheckCrls(h.deps)).revoked_credentials).toEqual([]);
    // And the application behind the revoked certificate gets no fresh offer.
    const app = h.db.prepare('SELECT a.id FROM applications a WHERE a.cert_serial = ?').get(listed.serial) as { id: string };
    const { requireCertificateCurrent } = await import('../proofing/applications.js');
    const { findApplication } = await import('../proofing/store.js');
    await expect(requireCertificateCurrent(h.deps, (await findApplication(h.deps.sql, app.id)) as never)).rejects.toMatchObject({
      code: 'certificate_revoked',
    });
  });

  it('runs on demand through the admin API with a revoke-scoped token', async () => {
    h = await createHarness({ proofing: { jpki: world.trust } });
    const listed = await jpkiCredential();
    world.revoked.push({ serial: listed.serial, date: START.toISOString() });
    await world.publish();
    expect((await jsonRequest(h, 'POST', '/v1/admin/crl-check', {}, await adminToken(h, ['review']))).status).toBe(403);
    const res = await jsonRequest(h, 'POST', '/v1/admin/crl-check', {}, await adminToken(h, ['revoke'], 'ops'));
    expect(await res.json()).toMatchObject({ revoked_credentials: [listed.id] });
    const actor = h.db.prepare("SELECT actor FROM audit_log WHERE action = 'credential.revoked'").get() as { actor: string };
    expect(actor.actor).toBe('admin:ops');
  });

  it('leaves credentials alone and counts the certificate as unavailable when the CRL cannot be read or verified', async () => {
    h = await createHarness({ proofing: { jpki: world.trust } });
    await jpkiCredential();
    const saved = world.ca;
    // A CRL signed by another key is not used.
    const { createTestCa, createCrl } = await import('../proofing/jpki/test-ca.js');
    const { ca: other } = await createTestCa({ name: saved.cert.subject, now: START });
    const forged = (await createCrl(other, [])).toString('pem');
    const trust = {
      ...world.trust,
      crls: new (await import('../proofing/jpki/crl-store.js')).CrlStore({
        locations: ['x'],
        refreshSeconds: 60,
        load: async () => forged,
      }),
    };
    h.deps.proofing.jpki = trust;
    expect(await recheckCrls(h.deps)).toMatchObject({ checked_certificates: 1, unavailable: 1, revoked_credentials: [] });
  });
});
