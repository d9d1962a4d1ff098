import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, jsonRequest, redeemOfferUri, taro } from '../testing/harness.js';
import { adminToken } from '../testing/jpki-fixtures.js';
import { MAX_REFUSED_UPLOADS, readApplicationImage } from './documents.js';

let h: Harness;
afterEach(() => h.close());

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 9)]);

async function startDocument(): Promise<{ id: string; secret: string }> {
  const res = await jsonRequest(h, 'POST', '/v1/applications', { method: 'document', identity: taro });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; secret: string; state: string };
  expect(body.state).toBe('awaiting_documents');
  return body;
}

function upload(app: { id: string; secret: string }, files: { name: string; bytes: Buffer; type: string }[]): Promise<Response> {
  const form = new FormData();
  for (const f of files) form.append(f.name, new Blob([new Uint8Array(f.bytes)], { type: f.type }), `${f.name}.bin`);
  return Promise.resolve(
    h.app.request(`/v1/applications/${app.id}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.secret}` },
      body: form,
    }),
  );
}

const good = [
  { name: 'id_document', bytes: JPEG, type: 'image/jpeg' },
  { name: 'selfie', bytes: PNG, type: 'image/png' },
];

async function applicantView(app: { id: string; secret: string }): Promise<Record<string, unknown>> {
  return (await (await jsonRequest(h, 'GET', `/v1/applications/${app.id}`, undefined, app.secret)).json()) as Record<string, unknown>;
}

describe('document (eKYC) applications', () => {
  it('refuse an oversized upload with 413 and a wrong-type upload with 415, staying in awaiting_documents', async () => {
    h = await createHarness({ settings: { maxUploadBytes: 10_000 } });
    const app = await startDocument();
    const big = await upload(app, [
      good[0] as (typeof good)[0],
      { name: 'selfie', bytes: Buffer.concat([PNG, Buffer.alloc(10_000)]), type: 'image/png' },
    ]);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'payload_too_large' });
    const gif = await upload(app, [good[0] as (typeof good)[0], { name: 'selfie', bytes: Buffer.from('GIF89a....'), type: 'image/gif' }]);
    expect(gif.status).toBe(415);
    expect(await gif.json()).toMatchObject({ code: 'unsupported_media_type' });
    const lying = await upload(app, [
      good[0] as (typeof good)[0],
      { name: 'selfie', bytes: Buffer.from('%PDF-1.7 not an image'), type: 'image/png' },
    ]);
    expect(lying.status).toBe(415);
    const whole = await upload(app, [{ name: 'selfie', bytes: Buffer.alloc(100_000, 1), type: 'image/png' }]);
    expect(whole.status).toBe(413);
    expect((await applicantView(app)).state).toBe('awaiting_documents');
  });

  it(`close the application after ${MAX_REFUSED_UPLOADS} refused uploads, counting down in attempts_left`, async () => {
    h = await createHarness();
    const app = await startDocument();
    const gif = { name: 'selfie', bytes: Buffer.from('GIF89a....'), type: 'image/gif' };
    for (let left = MAX_REFUSED_UPLOADS - 1; left > 0; left--) {
      const res = await upload(app, [good[0] as (typeof good)[0], gif]);
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ code: 'unsupported_media_type', attempts_left: left });
    }
    const last = await upload(app, [good[0] as (typeof good)[0], gif]);
    expect(last.status).toBe(409);
    expect(await last.json()).toMatchObject({ code: 'application_state', attempts_left: 0 });
    expect(await applicantView(app)).toMatchObject({ state: 'refused' });
    expect((await upload(app, good)).status).toBe(409);
  });

  it('store the upload that won when two arrive at once: the files are the ones the rows and the audit name', async () => {
    h = await createHarness();
    const app = await startDocument();
    const other = [good[0] as (typeof good)[0], { name: 'selfie', bytes: Buffer.concat([PNG, Buffer.from('other')]), type: 'image/png' }];
    const answers = await Promise.all([upload(app, good), upload(app, other)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const dir = join(h.deps.proofing.uploadsDir, app.id);
    expect(readdirSync(dir).sort()).toEqual(['id_document.sealed', 'selfie.sealed']);
    const submitted = h.db.prepare("SELECT data FROM audit_log WHERE action = 'application.submitted' AND subject = ?").all(app.id) as {
      data: string;
    }[];
    expect(submitted).toHaveLength(1);
    const images = (JSON.parse((submitted[0] as { data: string }).data) as { images: Record<string, string> }).images;
    for (const kind of ['id_document', 'selfie']) {
      const stored = (await readApplicationImage(h.deps, app.id, kind)).bytes;
      expect(createHash('sha256').update(stored).digest('hex')).toBe(images[kind]);
    }
  });

  it('approve with a correction: the applicant sees approved, receives an IAL2 credential, the images are gone', async () => {
    h = await createHarness();
    const app = await startDocument();
    expect((await upload(app, good)).status).toBe(200);
    expect((await applicantView(app)).state).toBe('pending_review');
    const reviewer = await adminToken(h, ['review'], 'alice');
    const queue = (await (await jsonRequest(h, 'GET', '/v1/admin/applications?state=pending_review', undefined, reviewer)).json()) as {
      applications: { id: string; identity: { given_name: string }; files: { kind: string; sha256: string; available: boolean }[] }[];
    };
    expect(queue.applications.map((a) => a.id)).toEqual([app.id]);
    expect(queue.applications[0]?.files.every((f) => f.available)).toBe(true);
    const image = await jsonRequest(h, 'GET', `/v1/admin/applications/${app.id}/files/selfie`, undefined, reviewer);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
    // The images are stored sealed, not as image files.
    const dir = join(h.deps.proofing.uploadsDir, app.id);
    expect(readdirSync(dir).sort()).toEqual(['id_document.sealed', 'selfie.sealed']);

    const decided = await jsonRequest(
      h,
      'POST',
      `/v1/admin/applications/${app.id}/decision`,
      { decision: 'approve', corrections: { given_name: '太朗' } },
      reviewer,
    );
    expect(decided.status).toBe(200);
    expect(await applicantView(app)).toMatchObject({ state: 'approved', assurance_level: 'IAL2' });
    expect(existsSync(dir)).toBe(false);
    expect((await jsonRequest(h, 'GET', `/v1/admin/applications/${app.id}/files/selfie`, undefined, reviewer)).status).toBe(404);
    const detail = (await (await jsonRequest(h, 'GET', `/v1/admin/applications/${app.id}`, undefined, reviewer)).json()) as {
      files: { available: boolean; sha256: string }[];
    };
    expect(detail.files.map((f) => f.available)).toEqual([false, false]);
    expect(detail.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);

    const offer = (await (await jsonRequest(h, 'POST', `/v1/applications/${app.id}/offer`, undefined, app.secret)).json()) as {
      offer_uri: string;
      tx_code: string;
    };
    const { credential } = await redeemOfferUri(h, offer.offer_uri, offer.tx_code);
    const { decodeSdJwt, reconstructClaims } = await import('@shomei/shared');
    const d = decodeSdJwt(credential);
    expect(reconstructClaims(d.issuerJws.payload, d.disclosures)).toMatchObject({
      given_name: '太朗',
      verification: { assurance_level: 'IAL2', evidence: [{ type: 'document', method: 'document' }] },
    });
  });

  it('reject with a reason: the applicant sees rejected and the reason, gets no offer, the images are gone', async () => {
    h = await createHarness();
    const app = await startDocument();
    await upload(app, good);
    const reviewer = await adminToken(h, ['review'], 'bob');
    const res = await jsonRequest(
      h,
      'POST',
      `/v1/admin/applications/${app.id}/decision`,
      { decision: 'reject', reason: 'the selfie does not match the photo ID' },
      reviewer,
    );
    expect(res.status).toBe(200);
    expect(await applicantView(app)).toMatchObject({ state: 'rejected', reason: 'the selfie does not match the photo ID', offers_left: 0 });
    expect(existsSync(join(h.deps.proofing.uploadsDir, app.id))).toBe(false);
    const offer = await jsonRequest(h, 'POST', `/v1/applications/${app.id}/offer`, undefined, app.secret);
    expect(offer.status).toBe(409);
    expect(await offer.json()).toMatchObject({ code: 'application_state' });
    const again = await jsonRequest(h, 'POST', `/v1/admin/applications/${app.id}/decision`, { decision: 'approve' }, reviewer);
    expect(again.status).toBe(409);
  });

  it('need a review-scoped token for the queue and refuse an Individual Number in the typed identity', async () => {
    h = await createHarness();
    expect((await jsonRequest(h, 'GET', '/v1/admin/applications')).status).toBe(401);
    expect((await jsonRequest(h, 'GET', '/v1/admin/applications', undefined, 'shia_nope')).status).toBe(401);
    const res = await jsonRequest(h, 'GET', '/v1/admin/applications', undefined, await adminToken(h, ['audit']));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'forbidden' });
    const mn = await jsonRequest(h, 'POST', '/v1/applications', {
      method: 'document',
      identity: { ...taro, address: { ...taro.address, street_address: '1234-5678-9012' } },
    });
    expect(mn.status).toBe(400);
    expect(JSON.stringify(await mn.json())).not.toContain('5678');
  });
});
