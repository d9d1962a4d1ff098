import { createTestDatabase } from '@shomei/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { pendingRequestRow } from '../testing/store-rows.js';
import { openVerifierStore } from './sql-store.js';
import type { EvidenceRow, PresentationRequestRow, VerifierStore } from './types.js';

/**
 * The contract every backend of the verifier's repositories must meet, run on SQLite and on the
 * test run's PostgreSQL server. `open` gives a fresh database; `openAgain` a second handle on the
 * same one (a second pool: what another replica sees).
 */
function storeContract(name: string, open: () => Promise<{ store: VerifierStore; openAgain: () => Promise<VerifierStore> }>): void {
  describe(`verifier store contract: ${name}`, () => {
    let store: VerifierStore;
    let openAgain: () => Promise<VerifierStore>;
    const others: VerifierStore[] = [];
    afterEach(async () => {
      await store.close();
      for (const other of others.splice(0)) await other.close();
    });

    const T = 1_795_000_000_000;
    const row = (over: Partial<PresentationRequestRow> = {}) => pendingRequestRow(T, over);

    async function withClient(): Promise<VerifierStore> {
      ({ store, openAgain } = await open());
      await store.clients.insert({ id: 'client-1', name: 'Shop', keyHash: 'h1', createdAt: T });
      return store;
    }

    it('finds clients by key hash only', async () => {
      const s = await withClient();
      expect((await s.clients.findByKeyHash('h1'))?.id).toBe('client-1');
      expect(await s.clients.findByKeyHash('h2')).toBeUndefined();
      expect((await s.clients.list()).map((c) => c.name)).toEqual(['Shop']);
      await expect(s.clients.insert({ id: 'client-2', name: 'Dup', keyHash: 'h1', createdAt: T })).rejects.toThrow();
    });

    it('round-trips a request', async () => {
      const s = await withClient();
      await s.requests.insert(row());
      expect(await s.requests.get('req-1')).toEqual(row());
      expect(await s.requests.get('nope')).toBeUndefined();
    });

    it('lets exactly one claim win, and none after expiry', async () => {
      const s = await withClient();
      await s.requests.insert(row());
      await s.requests.insert(row({ id: 'req-2' }));
      const claims = await Promise.all([s.requests.claim('req-1', T + 1), s.requests.claim('req-1', T + 1)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await s.requests.get('req-1'))?.status).toBe('processing');
      expect(await s.requests.claim('req-2', T + 300_000)).toBe(false);
      expect((await s.requests.get('req-2'))?.status).toBe('pending');
    });

    it('keeps the first value of a setting', async () => {
      ({ store, openAgain } = await open());
      expect(await store.settings.get('k')).toBeUndefined();
      expect(await store.settings.putIfAbsent('k', 'first')).toBe('first');
      expect(await store.settings.putIfAbsent('k', 'second')).toBe('first');
    });

    it('finds a live front-desk session only before expiry, and never after its client is revoked', async () => {
      const s = await withClient();
      await s.sessions.insert({ idHash: 'sh-1', clientId: 'client-1', createdAt: T, expiresAt: T + 1000 });
      await s.sessions.insert({ idHash: 'sh-2', clientId: 'client-1', createdAt: T, expiresAt: T + 10 });
      expect(await s.sessions.findLive('sh-1', T + 999)).toEqual({
        idHash: 'sh-1',
        clientId: 'client-1',
        createdAt: T,
        expiresAt: T + 1000,
      });
      expect(await s.sessions.findLive('sh-1', T + 1000)).toBeUndefined();
      expect(await s.sessions.findLive('nope', T)).toBeUndefined();
      expect(await s.sessions.purgeExpired(T + 10)).toBe(1);
      await s.sessions.delete('sh-1');
      expect(await s.sessions.findLive('sh-1', T)).toBeUndefined();

      await s.sessions.insert({ idHash: 'sh-3', clientId: 'client-1', createdAt: T, expiresAt: T + 1000 });
      expect(await s.clients.revoke('client-1', T + 1)).toBe(true);
      expect(await s.clients.revoke('client-1', T + 2)).toBe(false);
      // Revocation alone ends the session, before the rows are deleted.
      expect(await s.sessions.findLive('sh-3', T + 2)).toBeUndefined();
      expect(await s.sessions.deleteForClient('client-1')).toBe(1);
    });

    it('stops finding a revoked client by its key, and never gives a revoked client a new key', async () => {
      const s = await withClient();
      expect(await s.clients.replaceKeyHash('client-1', 'h1b', T + 3)).toBe(true);
      expect(await s.clients.findByKeyHash('h1')).toBeUndefined();
      expect(await s.clients.findByKeyHash('h1b')).toMatchObject({ id: 'client-1', keyRotatedAt: T + 3 });
      expect(await s.clients.replaceKeyHash('nope', 'h9', T + 3)).toBe(false);
      await s.clients.revoke('client-1', T + 5);
      expect(await s.clients.findByKeyHash('h1b')).toBeUndefined();
      expect((await s.clients.get('client-1'))?.revokedAt).toBe(T + 5);
      expect(await s.clients.replaceKeyHash('client-1', 'h1c', T + 6)).toBe(false);
    });

    it('completes only a claimed request', async () => {
      const s = await withClient();
      await s.requests.insert(row());
      await s.requests.complete('req-1', { status: 'accepted', sealedResult: 'sealed', completedAt: T + 2 });
      expect((await s.requests.get('req-1'))?.status).toBe('pending');
      await s.requests.claim('req-1', T + 1);
      await s.requests.complete('req-1', { status: 'accepted', sealedResult: 'sealed', completedAt: T + 2 });
      expect(await s.requests.get('req-1')).toMatchObject({ status: 'accepted', sealedResult: 'sealed', completedAt: T + 2 });
    });

    it('50 parallel claims of one request through two handles on the database: exactly one wins', async () => {
      const s = await withClient();
      const other = await openAgain();
      others.push(other);
      await s.requests.insert(row());
      const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? s : other).requests.claim('req-1', T + 1)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('takes over a stale claim, and does not let the old claim complete afterwards', async () => {
      const s = await withClient();
      await s.requests.insert(row());
      expect(await s.requests.claim('req-1', T + 1)).toBe(true);
      expect(await s.requests.claim('req-1', T + 2, T)).toBe(false);
      expect(await s.requests.claim('req-1', T + 40, T + 10)).toBe(true);
      expect(await s.requests.complete('req-1', { status: 'accepted', sealedResult: 'old', completedAt: T + 41, claimedAt: T + 1 })).toBe(
        false,
      );
      expect(await s.requests.complete('req-1', { status: 'accepted', sealedResult: 'new', completedAt: T + 42, claimedAt: T + 40 })).toBe(
        true,
      );
      expect((await s.requests.get('req-1'))?.sealedResult).toBe('new');
    });

    it('writes the evidence with the outcome, and purges both past retention', async () => {
      const s = await withClient();
      await s.requests.insert(row());
      await s.requests.claim('req-1', T + 1);
      const evidence: EvidenceRow = {
        id: 'ev-1',
        clientId: 'client-1',
        requestId: 'req-1',
        kind: 'oid4vp',
        createdAt: T + 2,
        purgeAt: T + 1000,
        request: '{}',
        result: '{}',
        presentationHash: 'h',
        disclosedNames: ['family_name'],
        sealedValues: null,
      };
      await s.requests.complete('req-1', { status: 'accepted', sealedResult: 'sealed', completedAt: T + 2, evidence });
      expect(await s.evidence.listForClient('client-1', 10)).toEqual([evidence]);
      expect(await s.evidence.purge(T + 999)).toEqual({ evidence: 0, requestResults: 0 });
      expect(await s.evidence.purge(T + 91 * 86_400_000)).toEqual({ evidence: 1, requestResults: 1 });
      expect((await s.requests.get('req-1'))?.sealedResult).toBeNull();
    });
  });
}

storeContract('sqlite', async () => {
  const store = await openVerifierStore(':memory:');
  // One connection per SQLite file in a process: the "other replica" is the same handle.
  return { store, openAgain: async () => ({ ...store, close: async () => {} }) };
});

storeContract('postgres', async () => {
  const url = await createTestDatabase();
  return { store: await openVerifierStore(url), openAgain: () => openVerifierStore(url) };
});
