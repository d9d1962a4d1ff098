import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isUniqueViolation, ShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { StatusIndexAllocator, type StatusSlot } from '../status/allocator.js';
import { type Accepted, makeOffers, okExternalIds, recordIssued, sortOutcomes } from './chunk-commit.js';
import {
  type BatchChunkRow,
  type ChunkPlan,
  claimNextChunk,
  clearChunkOutputs,
  completeChunk,
  countChunks,
  doneChunks,
  planChunks,
  releaseChunkClaim,
  renewChunkClaim,
} from './chunks.js';
import { type BatchOptions, type BatchSummary, batchLeaseName, batchOfferDays, openJob, summaryOf } from './engine.js';
import { acquireBatchLease, leaseHolder } from './lock.js';
import { errorLine } from './outputs.js';
import { SigningPool } from './pool.js';
import { type RowChunk, readChunks } from './reader.js';
import type { ChunkResult, WorkItem } from './sign-item.js';
import { type BatchJobRow, findBatchJob, findBatchRecords } from './store.js';

/** A claim lasts this long unless renewed (every third of it while the chunk is signed): a killed worker's chunk waits this long. */
export const CHUNK_CLAIM_TTL_MS = 30_000;
/** How often a worker with nothing to claim looks again (other workers' chunks may come free). */
const IDLE_POLL_MS = 500;
/** A chunk whose commit met another worker's concurrent record for the same external id is redone this many times. */
const COMMIT_ATTEMPTS = 3;

class ClaimLost extends Error {}

/**
 * `shomei-issuer batch --worker`: one of several processes (one host or many, on one database)
 * sharing a batch job. The first to open the job splits its input into chunks (`batch_chunks`);
 * each worker then claims a chunk, signs it, and commits its credentials or offers, its external
 * ids, its audit entry, its output lines (sealed) and its `done` in one transaction. A worker
 * killed mid-chunk leaves its claim to run out; another then does the chunk again, and as nothing
 * of the first attempt was committed, nothing is issued or written twice.
 *
 * Output files are assembled from the done chunks' committed lines once every chunk is done
 * (by whichever worker gets there first, under the job's lease), not appended chunk by chunk:
 * a chunk done twice has one committed copy of its lines, so no file gets a line twice, and no
 * worker needs to append to a file another machine is writing.
 */
export async function runBatchWorker(deps: IssuerDeps, options: BatchOptions): Promise<BatchSummary> {
  const started = Date.now();
  const offerDays = batchOfferDays(options.offerDays);
  if (options.reissueExpired) {
    throw new ShomeiError('invalid_request', 'reissuing expired offers runs as one process: leave out --worker');
  }
  const job = await openJob(deps, options);
  const extra = { ...(job.mode === 'offers' ? { offerDays } : {}) };
  const summary = async (more: Partial<BatchSummary> = {}) =>
    summaryOf(job, (await findBatchJob(deps.sql, job.id)) as BatchJobRow, started, { ...extra, ...more });
  if (job.row.finished_at !== null) return summary({ alreadyComplete: true });
  if (job.row.next_line > 1) {
    throw new ShomeiError('conflict', 'this batch was started as one process: finish it with the same command without --worker');
  }
  const chunkSize = options.chunkSize ?? 2000;
  await ensurePlanned(deps, job.id, job.file, chunkSize);

  const worker = leaseHolder();
  const issuedAt = deps.now().getTime();
  const ctx = {
    deps,
    jobId: job.id,
    direct: options.mode === 'direct',
    actor: `batch:${job.id.slice(0, 12)}`,
    issuedAt,
    expiresAt: issuedAt + deps.settings.credentialValidityDays * 86_400_000,
    offerTtlSeconds: offerDays * 86_400,
    reissueExpired: false,
  };
  const pool = new SigningPool(
    {
      mode: options.mode,
      issuer: deps.baseUrl,
      kid: deps.keys.current.kid,
      ...(ctx.direct ? { privateKey: deps.keys.current.privateKey } : {}),
      issuedAt,
      expiresAt: ctx.expiresAt,
      sdAlg: deps.settings.sdAlg,
    },
    ctx.direct ? options.workers : 0,
  );
  const allocator = ctx.direct ? new StatusIndexAllocator(deps.sql) : undefined;
  try {
    for (;;) {
      const chunk = await claimNextChunk(deps.sql, job.id, worker, deps.now().getTime(), CHUNK_CLAIM_TTL_MS);
      if (!chunk) {
        const { total, done } = await countChunks(deps.sql, job.id);
        if (done === total) break;
        await new Promise((r) => setTimeout(r, IDLE_POLL_MS)); // claimed by live workers, or by dead ones whose claims will run out
        continue;
      }
      const renew = setInterval(
        () => void renewChunkClaim(deps.sql, job.id, chunk.chunk_no, worker, deps.now().getTime(), CHUNK_CLAIM_TTL_MS).catch(() => {}),
        CHUNK_CLAIM_TTL_MS / 3,
      );
      try {
        const counts = await doChunk(ctx, pool, allocator, job.file, chunk, worker);
        const { total, done } = await countChunks(deps.sql, job.id);
        options.onProgress?.({
          jobId: job.id,
          line: chunk.first_line + chunk.line_count - 1,
          totalLines: job.row.total_lines ?? 0,
          ...counts,
        });
        deps.log(`batch ${job.id}: chunk ${chunk.chunk_no + 1} of ${total} done (${done} done in all)`);
      } catch (e) {
        if (!(e instanceof ClaimLost)) {
          await releaseChunkClaim(deps.sql, job.id, chunk.chunk_no, worker).catch(() => {});
          throw e;
        }
        deps.log(`batch ${job.id}: chunk ${chunk.chunk_no + 1} was taken over by another worker (this one stalled past its claim)`);
      } finally {
        clearInterval(renew);
      }
    }
  } finally {
    await pool.close();
  }
  await assembleOutputs(deps, job.id, job.outDir, job.outputPath, job.errorsPath);
  const result = await summary();
  writeFileSync(join(job.outDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  return result;
}

/** Splits the input into chunks of `chunkSize` rows, once: the job row's lock makes other planners wait, then find the plan made. */
async function ensurePlanned(deps: IssuerDeps, jobId: string, file: string, chunkSize: number): Promise<void> {
  if ((await countChunks(deps.sql, jobId)).total > 0) return;
  const plan: ChunkPlan[] = [];
  let next = 1;
  for await (const chunk of readChunks(file, 1, chunkSize)) {
    plan.push({ firstLine: next, lineCount: chunk.lastLine - next + 1 });
    next = chunk.lastLine + 1;
  }
  await deps.sql.transaction(async (tx) => {
    await tx.getForUpdate('SELECT id FROM batch_jobs WHERE id = ?', [jobId]);
    if ((await countChunks(tx, jobId)).total > 0) return;
    await planChunks(tx, jobId, plan);
  });
}

interface WorkerContext {
  deps: IssuerDeps;
  jobId: string;
  direct: boolean;
  actor: string;
  issuedAt: number;
  expiresAt: number;
  offerTtlSeconds: number;
  reissueExpired: boolean;
}

/** Reads, signs and commits one claimed chunk; its counts. Throws ClaimLost if another worker took it over. */
async function doChunk(
  ctx: WorkerContext,
  pool: SigningPool,
  allocator: StatusIndexAllocator | undefined,
  file: string,
  chunk: BatchChunkRow,
  worker: string,
): Promise<{ issued: number; skipped: number; errors: number }> {
  const { deps } = ctx;
  const lastLine = chunk.first_line + chunk.line_count - 1;
  const rows = await readRange(file, chunk.first_line, lastLine, chunk.line_count);
  const slots = new Map<number, StatusSlot>();
  const reserved = await allocator?.reserveAnywhere(rows.rows.length, deps.now().getTime());
  const items: WorkItem[] = rows.rows.map((row, i) => {
    const slot = reserved?.[i];
    if (!slot) return { ...row };
    slots.set(row.line, slot);
    return { ...row, statusIdx: slot.idx, statusUri: deps.statusLists.uri(slot.listId) };
  });
  const parts = await pool.process({ format: rows.format, ...(rows.header ? { header: rows.header } : {}), bytes: rows.bytes, items });
  const unreadable = rows.unreadable.map((u) => ({ line: u.line, code: 'invalid_row' as const, reason: u.reason }));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await commitClaimedChunk(ctx, parts, unreadable, new Map(slots), chunk, worker);
      } catch (e) {
        // Another worker committed the same external id meanwhile (a duplicate across chunks): sort again, it is now on record.
        if (!isUniqueViolation(e) || attempt >= COMMIT_ATTEMPTS) throw e;
      }
    }
  } finally {
    pool.recycle(parts);
  }
}

async function commitClaimedChunk(
  ctx: WorkerContext,
  parts: readonly ChunkResult[],
  unreadable: Parameters<typeof sortOutcomes>[2],
  slots: Map<number, StatusSlot>,
  chunk: BatchChunkRow,
  worker: string,
): Promise<{ issued: number; skipped: number; errors: number }> {
  const { deps } = ctx;
  const earlier = await findBatchRecords(deps.sql, okExternalIds(parts));
  const { accepted, errors, skipped } = sortOutcomes(ctx, parts, unreadable, slots, earlier);
  const offers = ctx.direct ? [] : makeOffers(deps, accepted as Accepted[], ctx.offerTtlSeconds);
  const outLines = ctx.direct ? accepted.map((a) => a.output as Uint8Array) : offers.map((o) => o.line);
  const counts = { issued: accepted.length, skipped, errors: errors.length };
  const aad = (kind: string) => chunkAad(ctx.jobId, chunk.chunk_no, kind);
  const outcome = {
    outSealed: deps.vault.seal(Buffer.concat(outLines).toString('base64'), aad('out')),
    errSealed: deps.vault.seal(Buffer.concat(errors.map(errorLine)).toString('base64'), aad('errors')),
    ...counts,
  };
  const at = deps.now().getTime();
  await deps.sql.transaction(async (tx) => {
    if (!(await completeChunk(tx, ctx.jobId, chunk.chunk_no, worker, outcome))) throw new ClaimLost();
    await recordIssued(
      tx,
      ctx,
      accepted,
      offers.map((o) => o.row),
      at,
    );
  });
  return counts;
}

const chunkAad = (jobId: string, chunkNo: number, kind: string) => `batch-chunk:${jobId}:${chunkNo}:${kind}`;

/** Lines `from`–`to` of the input as one chunk of rows (the CSV header read from line 1 as always). */
async function readRange(file: string, from: number, to: number, maxRows: number): Promise<RowChunk> {
  let merged: RowChunk | undefined;
  for await (const part of readChunks(file, from, Math.max(maxRows, 1), to)) {
    if (!merged) merged = part;
    else throw new ShomeiError('internal', 'a batch chunk read as more than one part');
  }
  if (!merged) throw new ShomeiError('conflict', 'the batch file is shorter than when its chunks were planned: it was changed');
  return merged;
}

/**
 * Writes the job's output and errors files from the done chunks' committed lines, in line order
 * (each to a temporary name, fsynced, then renamed: a crash midway leaves the old file or none),
 * then marks the job finished with its totals and drops the sealed copies. Under the job's lease,
 * so that two workers finishing at once do not write the files together; the one that loses finds
 * the job finished.
 */
async function assembleOutputs(deps: IssuerDeps, jobId: string, outDir: string, outputPath: string, errorsPath: string): Promise<void> {
  let lease: Awaited<ReturnType<typeof acquireBatchLease>>;
  for (;;) {
    const row = (await findBatchJob(deps.sql, jobId)) as BatchJobRow;
    if (row.finished_at !== null) return;
    try {
      lease = await acquireBatchLease(deps.sql, batchLeaseName(jobId), () => deps.now().getTime());
      break;
    } catch (e) {
      if (!(e instanceof ShomeiError) || e.code !== 'conflict') throw e;
      await new Promise((r) => setTimeout(r, IDLE_POLL_MS)); // another worker is assembling
    }
  }
  try {
    if ((await findBatchJob(deps.sql, jobId))?.finished_at !== null) return;
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    const chunks = await doneChunks(deps.sql, jobId);
    const write = (path: string, kind: 'out' | 'errors') => {
      const fd = openSync(`${path}.tmp`, 'w', 0o600);
      let bytes = 0;
      try {
        for (const c of chunks) {
          const sealed = kind === 'out' ? c.out_sealed : c.err_sealed;
          if (sealed === null) throw new ShomeiError('conflict', `chunk ${c.chunk_no} of batch ${jobId} has no committed output`);
          const lines = Buffer.from(deps.vault.unseal(sealed, chunkAad(jobId, c.chunk_no, kind)), 'base64');
          bytes += writeSync(fd, lines);
        }
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(`${path}.tmp`, path);
      return bytes;
    };
    const outBytes = write(outputPath, 'out');
    const errBytes = write(errorsPath, 'errors');
    const at = deps.now().getTime();
    await deps.sql.transaction(async (tx) => {
      const totals = await tx.get<{ issued: number | null; skipped: number | null; errors: number | null; last: number | null }>(
        `SELECT SUM(issued) AS issued, SUM(skipped) AS skipped, SUM(errors) AS errors, MAX(first_line + line_count) AS last
           FROM batch_chunks WHERE job_id = ?`,
        [jobId],
      );
      await tx.run(
        `UPDATE batch_jobs SET issued = ?, skipped = ?, errors = ?, next_line = ?, out_bytes = ?, err_bytes = ?, updated_at = ?, finished_at = ?
          WHERE id = ?`,
        [
          Number(totals?.issued ?? 0),
          Number(totals?.skipped ?? 0),
          Number(totals?.errors ?? 0),
          Number(totals?.last ?? 1),
          outBytes,
          errBytes,
          at,
          at,
          jobId,
        ],
      );
      await clearChunkOutputs(tx, jobId);
    });
  } finally {
    await lease.release();
  }
}
