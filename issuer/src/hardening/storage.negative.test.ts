// Disk full and read-only database while issuing: a clear answer (503 storage_unavailable /
// temporarily_unavailable, a log line naming the condition), nothing half-written (no credential row,
// no audit entry, the access token and nonce not spent), and the same request succeeds once storage is back.
// A full disk is SQLite's SQLITE_FULL, produced here by capping the database at its current page count;
// read-only is SQLITE_READONLY from `query_only`.

import { generateEs256KeyPair } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-log.js';
import {
  credentialBody,
  credentialRequest,
  freshAccessToken,
  nonce,
  nonceRequest,
  preAuthorizedCode,
  proofJwt,
  redeem,
  sandboxOfferRequest,
  taro,
  useHarness,
} from '../testing/harness.js';

const h = useHarness();

const count = (table: string) => (h.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe.each([
  [
    'read-only database',
    async () => {
      h.db.pragma('query_only = ON');
      return async () => h.db.pragma('query_only = OFF');
    },
  ],
] as const)('%s during issuance', (_name, fault) => {
  it('answers 503 with a clear code, writes nothing, and the same request succeeds once storage is back', async () => {
    const token = await freshAccessToken(h);
    const c = await nonce(h);
    const holder = generateEs256KeyPair();
    const before = { credentials: count('credentials'), audit: count('audit_log') };
    const restore = await fault();
    const logsBefore = h.logs.length;

    const res = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: c })));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const offer = await h.app.request('/v1/applications', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'document', identity: taro }),
    });
    expect(offer.status).toBe(503);
    expect(await offer.json()).toMatchObject({ code: 'storage_unavailable' });
    const logged = h.logs.slice(logsBefore).join('\n');
    expect(logged).toMatch(
      /storage failure \(SQLITE_(FULL|READONLY)\w*\): the (disk is full|database is read-only); the operation was rolled back/,
    );
    expect(logged).not.toContain(token);

    restore();
    expect({ credentials: count('credentials'), audit: count('audit_log') }).toEqual(before);
    expect((await verifyAudit(h.deps.sql)).ok).toBe(true);
    // Neither the token nor the nonce was spent by the failed attempt.
    const retry = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: c })));
    expect(retry.status).toBe(200);
    expect(count('credentials')).toBe(before.credentials + 1);
  });
});

/** Rows in every table: what a half-written operation would change. */
function allRows(): Record<string, number> {
  const tables = h.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
    name: string;
  }[];
  return Object.fromEntries(tables.map((t) => [t.name, count(`"${t.name}"`)]));
}

describe('disk full during issuance', () => {
  it('the first write that finds the disk full answers 503 and changes no row; once space is back the same step succeeds', async () => {
    const db = h.db;
    db.pragma('wal_checkpoint(TRUNCATE)');
    // The database may not grow past its current size: a full disk (SQLITE_FULL) once its free space is used up.
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const holder = generateEs256KeyPair();
    let failed: { step: string; retry: () => Promise<Response>; rows: Record<string, number> } | undefined;
    const step = async (name: string, send: () => Promise<Response>): Promise<Response | undefined> => {
      const rows = allRows();
      const res = await send();
      if (res.status !== 503) return res;
      expect(allRows(), `${name} wrote nothing`).toEqual(rows);
      failed = { step: name, retry: send, rows };
      return undefined;
    };
    for (let i = 0; i < 2000 && !failed; i++) {
      const offer = await step('offer', () => sandboxOfferRequest(h));
      if (!offer) break;
      const { offer_uri, tx_code } = (await offer.json()) as { offer_uri: string; tx_code: string };
      const code = preAuthorizedCode(offer_uri);
      const tokenRes = await step('token', () => redeem(h, code, tx_code));
      if (!tokenRes) break;
      const token = ((await tokenRes.json()) as { access_token: string }).access_token;
      const nonceRes = await step('nonce', () => nonceRequest(h));
      if (!nonceRes) break;
      const c = ((await nonceRes.json()) as { c_nonce: string }).c_nonce;
      const cred = await step('credential', () => credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: c }))));
      if (cred) expect(cred.status).toBe(200);
    }
    expect(failed, 'the database filled up').toBeDefined();
    const f = failed as NonNullable<typeof failed>;
    expect(h.logs.join('\n')).toMatch(/storage failure \(SQLITE_FULL\): the disk is full; the operation was rolled back/);
    expect((await verifyAudit(h.deps.sql)).ok).toBe(true);
    db.pragma('max_page_count = 1073741823');
    const retry = await f.retry();
    expect(retry.status, `${f.step} after space is back`).toBeLessThan(300);
  }, 120_000);
});
