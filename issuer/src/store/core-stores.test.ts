import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDatabase } from '@shomei/shared';
import { createTestDatabase } from '@shomei/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminToken, revokeAdminToken } from '../admin/tokens.js';
import { appendAudit, exportAudit, verifyAudit } from '../audit/audit-log.js';
import { openIssuerDatabase } from '../database.js';
import { RateLimiter } from '../http/rate-limit.js';
import { consumeNonce, deleteExpiredNonces, insertNonce } from '../store/nonces.js';
import { countWrongTxCode, findOffer, insertOffer, type NewOffer, redeemOffer } from '../store/offers.js';
import { findUsableAccessToken, insertAccessToken, useAccessToken } from '../store/tokens.js';

const open: SqlDatabase[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * The issuer's single-use and chained records, on each backend, asked from two handles at once as
 * two replicas would. On SQLite both handles are one connection: two connections in one process
 * would block its event loop on each other's write lock (across processes each waits its turn).
 */
const backends = [
  {
    name: 'sqlite',
    handles: async (): Promise<[SqlDatabase, SqlDatabase]> => {
      const dir = mkdtempSync(join(tmpdir(), 'shomei-core-'));
      dirs.push(dir);
      const db = await openIssuerDatabase(join(dir, 'issuer.db'));
      open.push(db);
      return [db, db];
    },
  },
  {
    name: 'postgres',
    handles: async (): Promise<[SqlDatabase, SqlDatabase]> => {
      const url = await createTestDatabase();
      const a = await openIssuerDatabase(url);
      open.push(a);
      const b = await openIssuerDatabase(url); // migrations already applied: a no-op under the lock
      open.push(b);
      return [a, b];
    },
  },
];

const NOW = 1_790_000_000_000;

function offer(id: string, overrides: Partial<NewOffer> = {}): NewOffer {
  return {
    id,
    code_hash: `code-${id}`,
    tx_code_hash: 'tx-digest',
    identity_sealed: 'sealed',
    assurance_level: 'IAL2',
    evidence_type: 'document',
    evidence_method: 'document',
    sandbox: 0,
    proofed_at: NOW,
    created_at: NOW,
    expires_at: NOW + 600_000,
    ...overrides,
  };
}

/** `n` calls alternating between the two handles, all started at once. */
function atOnce<T>(handles: [SqlDatabase, SqlDatabase], n: number, call: (db: SqlDatabase) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => call(handles[i % 2] as SqlDatabase)));
}

describe.each(backends)('issuer core stores on $name', ({ handles }) => {
  it('a nonce is spent once, however many requests race for it; expired ones are refused and swept', async () => {
    const both = await handles();
    const [a] = both;
    await insertNonce(a, 'n1', NOW + 60_000);
    const spent = await atOnce(both, 20, (db) => consumeNonce(db, 'n1', NOW));
    expect(spent.filter(Boolean)).toHaveLength(1);
    await insertNonce(a, 'old', NOW - 1);
    expect(await consumeNonce(a, 'old', NOW)).toBe(false);
    await deleteExpiredNonces(a, NOW);
    expect(await a.get('SELECT 1 AS x FROM nonces WHERE nonce_hash = ?', ['old'])).toBeUndefined();
  });

  it('an offer is redeemed once; wrong tx_codes count to the budget and no further', async () => {
    const both = await handles();
    const [a] = both;
    await insertOffer(a, offer('o1'));
    const won = await atOnce(both, 20, (db) => redeemOffer(db, 'o1', NOW, 5));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await findOffer(a, 'o1'))?.redeemed_at).toBe(NOW);

    await insertOffer(a, offer('o2'));
    const counted = await atOnce(both, 12, (db) => countWrongTxCode(db, 'o2', 5));
    expect(counted.filter((n) => n !== undefined).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await redeemOffer(a, 'o2', NOW, 5)).toBe(false); // dead after the budget
    await insertOffer(a, offer('o3', { expires_at: NOW }));
    expect(await redeemOffer(a, 'o3', NOW, 5)).toBe(false); // expired
  });

  it('an access token is used once', async () => {
    const both = await handles();
    const [a] = both;
    await insertOffer(a, offer('o1'));
    await insertAccessToken(a, { token_hash: 't1', offer_id: 'o1', created_at: NOW, expires_at: NOW + 60_000 });
    expect(await findUsableAccessToken(a, 't1', NOW)).toMatchObject({ offer_id: 'o1', used_at: null });
    const used = await atOnce(both, 20, (db) => useAccessToken(db, 't1', NOW));
    expect(used.filter(Boolean)).toHaveLength(1);
    expect(await findUsableAccessToken(a, 't1', NOW)).toBeUndefined();
  });

  it('appends from both handles at once make one chain that verifies', async () => {
    const both = await handles();
    const [a] = both;
    const entries = await atOnce(both, 40, (db) => appendAudit(db, () => new Date(NOW), { actor: 'system', action: 'test.appended' }));
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const result = await verifyAudit(a);
    expect(result).toMatchObject({ ok: true, entries: 40 });
    const lines: string[] = [];
    for await (const line of exportAudit(a)) lines.push(line);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ seq: 40, hash: result.head });
    // The log takes appends only: an edit is refused by the database itself.
    await expect(a.run("UPDATE audit_log SET action = 'test.edited' WHERE seq = 7")).rejects.toThrow(/append-only/);
  });

  it('one live admin token per name, even when two handles create it at once', async () => {
    const both = await handles();
    const [a] = both;
    const made = await Promise.allSettled(
      [0, 1, 2, 3].map((i) => createAdminToken(both[i % 2] as SqlDatabase, new Date(NOW), 'alice', ['review'])),
    );
    expect(made.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of made) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/a token named alice exists/);
    expect(await revokeAdminToken(a, 'alice', new Date(NOW))).toBe(1);
    expect((await createAdminToken(a, new Date(NOW), 'alice', ['audit'])).name).toBe('alice');
  });

  it('a rate limit is one budget across handles, and a new window starts afresh', async () => {
    const both = await handles();
    const limiters = both.map((db) => new RateLimiter(db, 'test', 5, 60_000));
    const hits = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (limiters[i % 2] as RateLimiter).hit('10.0.0.1', NOW)));
    expect(hits.filter((h) => h.status === 'fulfilled')).toHaveLength(5);
    for (const h of hits) if (h.status === 'rejected') expect(String(h.reason)).toMatch(/too many requests; try again in 60 s/);
    await expect((limiters[0] as RateLimiter).hit('10.0.0.2', NOW)).resolves.toBeUndefined(); // another client
    await expect((limiters[1] as RateLimiter).hit('10.0.0.1', NOW + 60_000)).resolves.toBeUndefined();
  });
});
