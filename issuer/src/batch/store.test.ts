import type { SqlDatabase } from '@shomei/shared';
import { twoHandleBackends } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerMigrations } from '../store/migrations.js';
import { claimNextChunk, completeChunk, countChunks, doneChunks, planChunks, releaseChunkClaim, renewChunkClaim } from './chunks.js';
import { proofingBatchPostgresMigrations } from './postgres-schema.js';
import {
  findBatchJob,
  findBatchJobByInput,
  findBatchRecords,
  finishBatchJob,
  insertBatchJob,
  insertBatchRecord,
  moveBatchRecord,
  saveCheckpoint,
} from './store.js';

/**
 * The `offers` table is the core's (its PostgreSQL baseline comes from the core's list); batch
 * only joins it for an earlier offer's fate. A stand-in with those columns serves here.
 */
const offersStandIn = {
  id: 'test-offers-stand-in',
  sql: `CREATE TABLE offers (id TEXT PRIMARY KEY, code_hash TEXT NOT NULL, identity_sealed TEXT NOT NULL, assurance_level TEXT NOT NULL,
    evidence_type TEXT NOT NULL, evidence_method TEXT NOT NULL, sandbox BIGINT NOT NULL, proofed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, redeemed_at BIGINT)`,
};
const insertOfferRow = (db: SqlDatabase, id: string, expiresAt: number) =>
  db.run(
    `INSERT INTO offers (id, code_hash, identity_sealed, assurance_level, evidence_type, evidence_method, sandbox, proofed_at, created_at, expires_at)
     VALUES (?, ?, 'sealed', 'IAL2', 'reliance', 'reliance', 0, 1, 1, ?)`,
    [id, `hash-${id}`, expiresAt],
  );

const backends = twoHandleBackends({ sqlite: issuerMigrations, postgres: [offersStandIn, ...proofingBatchPostgresMigrations] });

const job = (id: string) => ({ id, mode: 'offers' as const, input: `/in/${id}.csv`, out_dir: `/out/${id}`, started_at: 1000 });

describe.each(backends)('the batch store on $name', (backend) => {
  let a: SqlDatabase;
  let b: SqlDatabase;
  beforeAll(async () => {
    [a, b] = await backend.open();
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
  });

  it('creates a job once even when two runs open it at once, and keeps its checkpoint', async () => {
    await Promise.all([insertBatchJob(a, job('j1')), insertBatchJob(b, job('j1'))]);
    expect(await findBatchJob(b, 'j1')).toMatchObject({ id: 'j1', next_line: 1, issued: 0, finished_at: null, started_at: 1000 });
    expect((await findBatchJobByInput(a, '/in/j1.csv'))?.id).toBe('j1');
    await saveCheckpoint(a, {
      id: 'j1',
      next_line: 51,
      out_bytes: 900,
      err_bytes: 10,
      issued: 48,
      skipped: 1,
      errors: 1,
      updated_at: 2000,
    });
    await finishBatchJob(b, 'j1', 4000);
    const row = await findBatchJob(a, 'j1');
    expect(row).toMatchObject({ next_line: 51, out_bytes: 900, issued: 48, skipped: 1, errors: 1, finished_at: 4000, updated_at: 4000 });
    expect(typeof row?.out_bytes).toBe('number');
  });

  it('finds earlier records by external id across many ids, with their offer, and moves a reissued one', async () => {
    await insertBatchJob(a, job('j2'));
    await insertOfferRow(a, 'offer-7', 5000);
    await a.transaction(async (tx) => {
      for (let i = 0; i < 1200; i++) {
        await insertBatchRecord(tx, {
          externalId: `x-${i}`,
          jobId: 'j2',
          line: i + 1,
          credentialId: null,
          offerId: i === 7 ? 'offer-7' : null,
          at: 1,
        });
      }
    });
    const wanted = [...Array.from({ length: 1100 }, (_, i) => `x-${i + 50}`), 'nobody'];
    const found = await findBatchRecords(b, wanted);
    expect(found.size).toBe(1100);
    expect(found.get('x-60')).toEqual({ job_id: 'j2', line: 61, offer_id: null, offer_expires_at: null, offer_redeemed_at: null });
    expect((await findBatchRecords(b, ['x-7'])).get('x-7')).toEqual({
      job_id: 'j2',
      line: 8,
      offer_id: 'offer-7',
      offer_expires_at: 5000,
      offer_redeemed_at: null,
    });
    await insertBatchJob(a, job('j3'));
    const move = { externalId: 'x-7', jobId: 'j3', line: 2, credentialId: null, offerId: 'offer-8', at: 9 };
    expect(await moveBatchRecord(a, { ...move, replaces: 'offer-7' })).toBe(true);
    expect(await moveBatchRecord(a, { ...move, replaces: 'offer-7' })).toBe(false);
    await expect(insertBatchRecord(b, { ...move, jobId: 'j3' })).rejects.toThrow();
  });

  it('gives every chunk of a job to exactly one of two workers claiming at once', async () => {
    await insertBatchJob(a, job('j4'));
    const chunks = Array.from({ length: 40 }, (_, i) => ({ firstLine: 1 + i * 10, lineCount: 10 }));
    await Promise.all([a.transaction((tx) => planChunks(tx, 'j4', chunks)), b.transaction((tx) => planChunks(tx, 'j4', chunks))]);
    expect(await countChunks(a, 'j4')).toEqual({ total: 40, done: 0 });
    const work = async (db: SqlDatabase, worker: string): Promise<number[]> => {
      const mine: number[] = [];
      for (;;) {
        const chunk = await claimNextChunk(db, 'j4', worker, 10_000, 60_000);
        if (!chunk) return mine;
        expect(chunk).toMatchObject({ state: 'claimed', claimed_by: worker, lease_expires_at: 70_000, attempts: 1 });
        await new Promise((r) => setTimeout(r, 1)); // signing
        const committed = await db.transaction((tx) =>
          completeChunk(tx, 'j4', chunk.chunk_no, worker, {
            outSealed: `o${chunk.chunk_no}`,
            errSealed: '',
            issued: 10,
            skipped: 0,
            errors: 0,
          }),
        );
        expect(committed).toBe(true);
        mine.push(chunk.chunk_no);
      }
    };
    const [first, second] = await Promise.all([work(a, 'worker-a'), work(b, 'worker-b')]);
    expect([...first, ...second].sort((x, y) => x - y)).toEqual(chunks.map((_, i) => i));
    expect(new Set([...first, ...second]).size).toBe(40);
    expect(await countChunks(b, 'j4')).toEqual({ total: 40, done: 40 });
    expect((await doneChunks(a, 'j4')).map((c) => c.out_sealed)).toEqual(chunks.map((_, i) => `o${i}`));
  });

  it('claims again a chunk whose claim lease ran out, and refuses the late commit of its first worker', async () => {
    await insertBatchJob(a, job('j5'));
    await a.transaction((tx) =>
      planChunks(tx, 'j5', [
        { firstLine: 1, lineCount: 5 },
        { firstLine: 6, lineCount: 5 },
      ]),
    );
    const dead = await claimNextChunk(a, 'j5', 'killed', 0, 1000);
    expect(dead?.chunk_no).toBe(0);
    // Still within its lease: the other worker gets the next chunk, not this one.
    expect((await claimNextChunk(b, 'j5', 'alive', 999, 1000))?.chunk_no).toBe(1);
    expect(await claimNextChunk(b, 'j5', 'alive', 999, 1000)).toBeUndefined();
    expect(await renewChunkClaim(a, 'j5', 0, 'killed', 500, 1000)).toBe(true); // lease now ends at 1500
    expect(await claimNextChunk(b, 'j5', 'alive', 1499, 1000)).toBeUndefined();
    const again = await claimNextChunk(b, 'j5', 'alive', 1500, 1000);
    expect(again).toMatchObject({ chunk_no: 0, claimed_by: 'alive', attempts: 2 });
    const outcome = { outSealed: 'x', errSealed: '', issued: 5, skipped: 0, errors: 0 };
    expect(await a.transaction((tx) => completeChunk(tx, 'j5', 0, 'killed', outcome))).toBe(false);
    expect(await renewChunkClaim(a, 'j5', 0, 'killed', 1600, 1000)).toBe(false);
    expect(await b.transaction((tx) => completeChunk(tx, 'j5', 0, 'alive', outcome))).toBe(true);
    // A worker that gives its claim back lets the next one take it at once.
    await releaseChunkClaim(b, 'j5', 1, 'alive');
    expect((await claimNextChunk(a, 'j5', 'other', 1600, 1000))?.chunk_no).toBe(1);
  });
});
