import { afterEach, describe, expect, it } from 'vitest';
import { pendingRequestRow } from '../testing/store-rows.js';
import { openSqliteVerifierStore } from './sqlite.js';
import type { PresentationRequestRow, VerifierStore } from './types.js';

/** The contract every backend of the verifier's repositories must meet (SQLite today). */
function storeContract(name: string, open: () => VerifierStore): void {
  describe(`verifier store contract: ${name}`, () => {
    let store: VerifierStore;
    afterEach(() => store.close());

    const T = 1_795_000_000_000;
    const row = (over: Partial<PresentationRequestRow> = {}) => pendingRequestRow(T, over);

    async function withClient(): Promise<VerifierStore> {
      store = open();
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
      store = open();
      expect(await store.settings.get('k')).toBeUndefined();
      expect(await store.settings.putIfAbsent('k', 'first')).toBe('first');
      expect(await store.settings.putIfAbsent('k', 'second')).toBe('first');
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
  });
}

storeContract('sqlite', () => openSqliteVerifierStore(':memory:'));
