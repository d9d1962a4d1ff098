import { generateEs256KeyPair } from '@shomei/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdminToken } from '../admin/tokens.js';
import { batchRow } from '../testing/batch-fixtures.js';
import { createHarness, type Harness } from '../testing/harness.js';

let h: Harness;
let token: string;
beforeEach(async () => {
  h = await createHarness();
  token = createAdminToken(h.deps.db, h.now(), 'batch-operator', ['issue']).token;
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
    const reviewer = createAdminToken(h.deps.db, h.now(), 'reviewer', ['review']).token;
    expect((await upload('{}\n', 'application/x-ndjson', `Bearer ${reviewer}`)).status).toBe(403);
    const wrongType = await upload('{}\n', 'application/json');
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { code: string }).code).toBe('unsupported_media_type');
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
