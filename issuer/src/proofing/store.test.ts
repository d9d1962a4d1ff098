import type { SqlDatabase } from '@shomei/shared';
import { twoHandleBackends } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proofingBatchPostgresMigrations } from '../batch/postgres-schema.js';
import { issuerMigrations } from '../store/migrations.js';
import { countOfferMade, countRefusedUpload, findApplication, insertApplication, spendChallenge, transition } from './store.js';

const backends = twoHandleBackends({ sqlite: issuerMigrations, postgres: proofingBatchPostgresMigrations });

describe.each(backends)('the proofing store on $name', (backend) => {
  let a: SqlDatabase;
  let b: SqlDatabase;
  beforeAll(async () => {
    [a, b] = await backend.open();
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
  });

  it('spends a challenge once when two replicas submit it at the same moment', async () => {
    await insertApplication(a, {
      id: 'jpki-1',
      method: 'jpki',
      state: 'awaiting_signature',
      secret_hash: 'h',
      created_at: 1000,
      challenge_hash: 'c',
      challenge_expires_at: 2000,
    });
    const spent = await Promise.all([spendChallenge(a, 'jpki-1', 1500), spendChallenge(b, 'jpki-1', 1501)]);
    expect(spent.filter(Boolean)).toHaveLength(1);
    expect(await spendChallenge(a, 'jpki-1', 1502)).toBe(false);
    const row = await findApplication(b, 'jpki-1');
    expect([1500, 1501]).toContain(row?.challenge_used_at);
    expect(row).toMatchObject({ state: 'awaiting_signature', challenge_expires_at: 2000, created_at: 1000 });
  });

  it('counts refused uploads from both replicas and closes the application exactly once, at the limit', async () => {
    await insertApplication(a, { id: 'doc-1', method: 'document', state: 'awaiting_documents', secret_hash: 'h', created_at: 1000 });
    const counted = await Promise.all([1, 2, 3].map((i) => countRefusedUpload(i % 2 ? a : b, 'doc-1', 3, 1000 + i)));
    expect(counted.map((c) => c.refused).sort()).toEqual([1, 2, 3]);
    expect(counted.filter((c) => c.closed)).toEqual([{ refused: 3, closed: true }]);
    expect(await findApplication(b, 'doc-1')).toMatchObject({
      state: 'refused',
      reason: 'too_many_refused_uploads',
      decided_by: 'system',
      evidence: JSON.stringify({ code: 'too_many_refused_uploads' }),
      upload_failures: 3,
    });
    // Closed: a further refused upload counts nothing and closes nothing.
    expect(await countRefusedUpload(a, 'doc-1', 3, 2000)).toEqual({ refused: 3, closed: false });
  });

  it('makes at most the allowed offers on an approved application, whichever replica asks', async () => {
    await insertApplication(a, { id: 'doc-2', method: 'document', state: 'pending_review', secret_hash: 'h', created_at: 1000 });
    expect(await countOfferMade(a, 'doc-2', 2)).toBe(false);
    expect(
      await transition(b, 'doc-2', ['pending_review'], 1500, { state: 'approved', assurance_level: 'IAL2', decided_by: 'admin:x' }),
    ).toBe(true);
    expect(await transition(a, 'doc-2', ['pending_review'], 1600, { state: 'rejected' })).toBe(false);
    const made = await Promise.all([a, b, a, b].map((db) => countOfferMade(db, 'doc-2', 2)));
    expect(made.filter(Boolean)).toHaveLength(2);
    expect(await findApplication(a, 'doc-2')).toMatchObject({
      state: 'approved',
      offers_made: 2,
      decided_at: 1500,
      assurance_level: 'IAL2',
    });
  });
});
