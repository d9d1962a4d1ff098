import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, issueOne, jsonRequest } from '../testing/harness.js';
import { createAdminToken } from './tokens.js';

let h: Harness;
afterEach(() => h.close());

describe('admin API answers are documented views, not storage rows', () => {
  it('GET /v1/admin/credentials/:id answers the same members and values, in the same order, as the credential row', async () => {
    h = await createHarness();
    await issueOne(h);
    const row = h.db.prepare('SELECT * FROM credentials').get() as { id: string };
    const revoker = (await createAdminToken(h.deps.sql, h.now(), 'desk', ['revoke'])).token;
    const res = await jsonRequest(h, 'GET', `/v1/admin/credentials/${row.id}`, undefined, revoker);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(JSON.stringify(row));
  });
});
