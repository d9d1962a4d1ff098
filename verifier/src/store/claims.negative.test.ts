// A claim whose process died mid-verification: not taken over while fresh, taken over once stale; the
// superseded claim can no longer complete the request; the outcome and its evidence record are one write.
import { afterEach, describe, expect, it } from 'vitest';
import { pendingRequestRow } from '../testing/store-rows.js';
import { openSqliteVerifierStore } from './sql-store.js';
import type { EvidenceRow, VerifierStore } from './types.js';

const T = 1_795_000_000_000;
let store: VerifierStore;
afterEach(() => store.close());

const evidence = (id: string): EvidenceRow => ({
  id,
  clientId: 'client-1',
  requestId: 'req-1',
  kind: 'oid4vp',
  createdAt: T,
  purgeAt: T + 86_400_000,
  request: '{}',
  result: '{}',
  presentationHash: 'h',
  disclosedNames: [],
  sealedValues: null,
});

describe('abandoned claims (kill -9 during a verification)', () => {
  it('a fresh claim is not taken over; a stale one is, once; the old claimant then cannot complete', async () => {
    store = openSqliteVerifierStore(':memory:');
    await store.clients.insert({ id: 'client-1', name: 'Shop', keyHash: 'h1', createdAt: T });
    await store.requests.insert(pendingRequestRow(T, { nonce: 'n', state: 's' }));
    const stale = 30_000;
    expect(await store.requests.claim('req-1', T + 1, T + 1 - stale)).toBe(true);
    expect(await store.requests.claim('req-1', T + 1000, T + 1000 - stale)).toBe(false);
    const takeover = T + 1 + stale;
    const both = await Promise.all([
      store.requests.claim('req-1', takeover, takeover - stale),
      store.requests.claim('req-1', takeover, takeover - stale),
    ]);
    expect(both.filter(Boolean)).toHaveLength(1);

    const outcome = { status: 'accepted' as const, sealedResult: 'sealed', completedAt: takeover + 5 };
    expect(await store.requests.complete('req-1', { ...outcome, claimedAt: T + 1, evidence: evidence('e-old') })).toBe(false);
    expect(await store.evidence.listForClient('client-1', 10)).toEqual([]);
    expect(await store.requests.complete('req-1', { ...outcome, claimedAt: takeover, evidence: evidence('e-new') })).toBe(true);
    expect((await store.evidence.listForClient('client-1', 10)).map((e) => e.id)).toEqual(['e-new']);
    expect((await store.requests.get('req-1'))?.status).toBe('accepted');
    expect(await store.requests.claim('req-1', takeover + 60_000, takeover)).toBe(false);
  });
});
