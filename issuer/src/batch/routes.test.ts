import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateEs256KeyPair } from '@shomei/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdminToken } from '../admin/tokens.js';
import { batchRow } from '../testing/batch-fixtures.js';
import { createHarness, type Harness } from '../testing/harness.js';

let h: Harness;
let token: string;
beforeEach(async () => {
  h = await createHarness();
  token = (await createAdminToken(h.deps.sql, h.now(), 'batch-operator', ['issue'])).token;
});
afterEach(() => h.close());

const upload = (body: string, type = 'application/x-ndjson', auth = `Bearer ${token}`) =>
  h.app.request('/v1/admin/batches?mode=direct', { method: 'POST', headers: { authorization: auth, 'content-type': type }, body });

describe('batch upload API', () => {
  it('runs an uploaded file in the background, reports progress and serves the outputs', async () => {
    const rows = [batchRow(1, generateEs256KeyPair().publicJwk), '{"broken"', batchRow(3, generateEs256KeyPair().publicJwk)];
    const res = await upload(`${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 100 && progress.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      progress = (await (
        await h.app.request(`/v1/admin/batches/${id}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Record<string, unknown>;
    }
    expect(progress).toMatchObject({ status: 'done', issued: 2, errors: 1, line: 3, total_lines: 3 });
    const output = await (await h.app.request(`/v1/admin/batches/${id}/output`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(output.trim().split('\n')).toHaveLength(2);
    const errors = await (await h.app.request(`/v1/admin/batches/${id}/errors`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(JSON.parse(errors)).toMatchObject({ line: 2, code: 'invalid_row' });
  });

  it('needs an admin token with scope issue and a CSV or JSONL body', async () => {
    expect((await upload('{}\n', 'application/x-ndjson', 'Bearer nope')).status).toBe(401);
    const reviewer = (await createAdminToken(h.deps.sql, h.now(), 'reviewer', ['review'])).token;
    expect((await upload('{}\n', 'application/x-ndjson', `Bearer ${reviewer}`)).status).toBe(403);
    const wrongType = await upload('{}\n', 'application/json');
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { code: string }).code).toBe('unsupported_media_type');
    const badDays = await h.app.request('/v1/admin/batches?mode=offers&offer_days=0', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: '{}\n',
    });
    expect(badDays.status).toBe(400);
    expect(((await badDays.json()) as { detail: string }).detail).toContain('offer lifetime');
  });

  it('answers a batch refused before its first row at once, instead of hanging', async () => {
    const res = await h.app.request('/v1/admin/batches?mode=offers', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: 'external_id,nickname\nc-1,taro\n',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid_request');
  });
});

describe('batch files retention (issue 14, item 10)', () => {
  const auth = () => ({ authorization: `Bearer ${token}` });
  const get = (path: string) => h.app.request(path, { headers: auth() });
  const offersUpload = (n: number) =>
    h.app.request('/v1/admin/batches?mode=offers', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      body: `${Array.from({ length: n }, (_, i) => JSON.stringify(batchRow(i + 1))).join('\n')}\n`,
    });
  async function finished(id: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const p = (await (await get(`/v1/admin/batches/${id}`)).json()) as { status: string };
      if (p.status === 'done') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the batch did not finish');
  }
  /** Every file under the uploads folder, with its content. */
  function filesOnDisk(): Map<string, string> {
    const root = join(h.deps.dataDir, 'batches');
    const out = new Map<string, string>();
    if (!existsSync(root)) return out;
    for (const name of readdirSync(root, { recursive: true }) as string[]) {
      const path = join(root, name);
      if (statSync(path).isFile()) out.set(name, readFileSync(path, 'utf8'));
    }
    return out;
  }

  it('deletes the upload once run, seals the outputs at rest, and deletes each output once downloaded', async () => {
    const { id } = (await (await offersUpload(3)).json()) as { id: string };
    await finished(id);
    const files = filesOnDisk();
    expect([...files.keys()].filter((f) => !f.endsWith('summary.json')).every((f) => f.endsWith('.jsonl.sealed'))).toBe(true);
    expect([...files.keys()].some((f) => f.endsWith('offers.jsonl.sealed'))).toBe(true);
    const offers = await (await get(`/v1/admin/batches/${id}/output`)).text();
    const lines = offers
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tx_code: string; offer_uri: string });
    expect(lines).toHaveLength(3);
    // Neither a tx_code nor an identity value is on disk in the clear.
    const disk = [...files.values()].join('\n');
    for (const l of lines) expect(disk).not.toContain(l.tx_code);
    expect(disk).not.toContain('鈴木');
    expect(disk).not.toContain('cust-0000001');
    // Downloaded in full: gone; the errors file stays until it is downloaded too.
    expect((await get(`/v1/admin/batches/${id}/output`)).status).toBe(404);
    const errors = await get(`/v1/admin/batches/${id}/errors`);
    expect(errors.status).toBe(200);
    expect(filesOnDisk().size).toBeGreaterThan(1); // not consumed yet: still there
    expect(await errors.text()).toBe(''); // no bad rows
    expect((await get(`/v1/admin/batches/${id}/errors`)).status).toBe(404);
    // Only summary.json (counts, no personal value) waits for the retention sweep.
    expect([...filesOnDisk().keys()].filter((f) => /\.jsonl(\.sealed)?$/.test(f))).toEqual([]);
  });

  it('deletes a batch never downloaded after 7 days, by the injected clock', async () => {
    const { id } = (await (await offersUpload(2)).json()) as { id: string };
    await finished(id);
    expect(filesOnDisk().size).toBeGreaterThan(0);
    h.advance(7 * 86_400 - 60);
    await get(`/v1/admin/batches/${id}`);
    expect(filesOnDisk().size).toBeGreaterThan(0);
    h.advance(120);
    expect((await get(`/v1/admin/batches/${id}`)).status).toBe(200); // the job's counts stay
    expect(filesOnDisk().size).toBe(0);
    expect((await get(`/v1/admin/batches/${id}/output`)).status).toBe(404);
    const audit = h.db.prepare("SELECT data FROM audit_log WHERE action = 'batch.files_deleted' AND subject = ?").all(id) as {
      data: string;
    }[];
    expect(audit.map((a) => JSON.parse(a.data))).toEqual([{ reason: 'retention', days: 7 }]);
  });

  it('DELETE /v1/admin/batches/:id deletes its files at once (scope issue)', async () => {
    const { id } = (await (await offersUpload(2)).json()) as { id: string };
    await finished(id);
    const reviewer = (await createAdminToken(h.deps.sql, h.now(), 'reviewer-2', ['review'])).token;
    const del = (auth: string) => h.app.request(`/v1/admin/batches/${id}`, { method: 'DELETE', headers: { authorization: auth } });
    expect((await del(`Bearer ${reviewer}`)).status).toBe(403);
    expect(filesOnDisk().size).toBeGreaterThan(0);
    expect((await del(`Bearer ${token}`)).status).toBe(204);
    expect(filesOnDisk().size).toBe(0);
    expect((await get(`/v1/admin/batches/${id}/output`)).status).toBe(404);
    expect((await h.app.request('/v1/admin/batches/nope', { method: 'DELETE', headers: auth() })).status).toBe(404);
  });
});
