import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEs256KeyPair } from '@shomei/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-log.js';
import { batchRow } from '../testing/batch-fixtures.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { claimNextChunk, countChunks } from './chunks.js';
import { batchJobId, runBatch } from './engine.js';
import { CHUNK_CLAIM_TTL_MS, runBatchWorker } from './worker.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

const jsonl = (rows: unknown[]) => `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;
const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** 30 rows: valid ones, a bad line, and a duplicate external id in a later chunk. */
function writeRows(file: string, direct: boolean): void {
  const rows: unknown[] = [];
  for (let n = 1; n <= 28; n++) rows.push(batchRow(n, direct ? generateEs256KeyPair().publicJwk : undefined));
  rows.splice(10, 0, '{not json');
  rows.push(batchRow(3, direct ? generateEs256KeyPair().publicJwk : undefined));
  writeFileSync(file, jsonl(rows));
}

describe('batch workers sharing a job', () => {
  it('two workers on one job issue each record once; the outputs hold each line once, in line order', async () => {
    const file = join(h.dir, 'shared.jsonl');
    writeRows(file, true);
    const options = { file, mode: 'direct' as const, workers: 0, chunkSize: 4 };
    const [first, second] = await Promise.all([runBatchWorker(h.deps, options), runBatchWorker(h.deps, options)]);
    for (const s of [first, second]) expect(s).toMatchObject({ issued: 28, errors: 2, skipped: 0, line: 30, totalLines: 30 });
    expect(await countChunks(h.deps.sql, first.jobId)).toEqual({ total: 8, done: 8 });
    // Both took part (claims interleave at every await on the one connection).
    expect(h.db.prepare('SELECT COUNT(DISTINCT claimed_by) AS n FROM batch_chunks').get()).toEqual({ n: 2 });

    const out = readJsonl(first.output);
    expect(out.map((r) => r.external_id)).toEqual(Array.from({ length: 28 }, (_, i) => `cust-${String(i + 1).padStart(7, '0')}`));
    expect(readJsonl(first.errorsFile)).toMatchObject([
      { line: 11, code: 'invalid_row' },
      { line: 30, code: 'duplicate_external_id', reason: 'external_id already appears on line 3' },
    ]);
    expect(statSync(first.output).mode & 0o777).toBe(0o600);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM credentials WHERE batch_job_id = ?').get(first.jobId)).toEqual({ n: 28 });
    expect(await verifyAudit(h.deps.sql)).toMatchObject({ ok: true });
    // The sealed copies of the lines go once the files are written.
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM batch_chunks WHERE out_sealed IS NOT NULL').get()).toEqual({ n: 0 });
    // Run again: already complete, nothing issued again.
    expect(await runBatchWorker(h.deps, options)).toMatchObject({ alreadyComplete: true, issued: 28 });
  });

  it('a claim left by a killed worker is taken over after its lease, and nothing is issued twice', async () => {
    const file = join(h.dir, 'killed.jsonl');
    writeRows(file, false);
    const options = { file, mode: 'offers' as const, workers: 0, chunkSize: 10 };
    const jobId = batchJobId('offers', file, `${file}.out`);
    // A planned job whose first chunk a worker on another host claimed before it was killed.
    await h.deps.sql.run(
      'INSERT INTO batch_jobs (id, mode, input, out_dir, started_at, updated_at, total_lines) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [jobId, 'offers', file, `${file}.out`, h.now().getTime(), h.now().getTime(), 30],
    );
    await h.deps.sql.run(
      'INSERT INTO batch_chunks (job_id, chunk_no, first_line, line_count) VALUES (?, 0, 1, 10), (?, 1, 11, 11), (?, 2, 22, 9)',
      [jobId, jobId, jobId],
    );
    expect((await claimNextChunk(h.deps.sql, jobId, 'elsewhere:1:dead', h.now().getTime(), CHUNK_CLAIM_TTL_MS))?.chunk_no).toBe(0);
    h.advance(CHUNK_CLAIM_TTL_MS / 1000);
    const summary = await runBatchWorker(h.deps, options);
    expect(summary).toMatchObject({ issued: 28, errors: 2 });
    const offers = readJsonl(summary.output);
    expect(offers).toHaveLength(28);
    expect(new Set(offers.map((o) => o.external_id)).size).toBe(28);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM offers').get()).toEqual({ n: 28 });
    expect(h.db.prepare('SELECT attempts FROM batch_chunks WHERE job_id = ? ORDER BY chunk_no').all(jobId)).toEqual([
      { attempts: 2 },
      { attempts: 1 },
      { attempts: 1 },
    ]);
  });

  it('a single run and workers do not mix on one job', async () => {
    const file = join(h.dir, 'mixed.jsonl');
    writeRows(file, false);
    await runBatchWorker(h.deps, { file, mode: 'offers', workers: 0, chunkSize: 10, outDir: join(h.dir, 'w.out') });
    // Finished by workers: a single run finds it complete.
    expect(await runBatch(h.deps, { file, mode: 'offers', workers: 0, outDir: join(h.dir, 'w.out') })).toMatchObject({
      alreadyComplete: true,
    });
    await expect(runBatchWorker(h.deps, { file, mode: 'offers', workers: 0, reissueExpired: true })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
