import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { StatusIndexAllocator, type StatusSlot } from '../status/allocator.js';
import { type ChunkCommitContext, commitChunk } from './chunk-commit.js';
import { countChunks } from './chunks.js';
import { acquireBatchLease } from './lock.js';
import { countLines, ERRORS_FILE, type ErrorLine, OUTPUT_FILE, openAtCheckpoint } from './outputs.js';
import { SigningPool } from './pool.js';
import { type RowChunk, readChunks } from './reader.js';
import type { ChunkResult, WorkItem } from './sign-item.js';
import { type BatchJobRow, findBatchJob, finishBatchJob, insertBatchJob, setTotalLines } from './store.js';

export type BatchMode = 'direct' | 'offers';

export interface BatchOptions {
  file: string;
  mode: BatchMode;
  /** Output folder (default `<file>.out`): credentials.jsonl or offers.jsonl, errors.jsonl, summary.json. */
  outDir?: string;
  /** Signing threads (default: one per core); 0 signs on the calling thread. */
  workers: number;
  /** Rows per checkpoint: each chunk is signed, written, fsynced and committed as one unit. */
  chunkSize?: number;
  /** Offers mode: days each offer may be redeemed, counted from when it is written (default 30). */
  offerDays?: number;
  /**
   * Offers mode: a record an earlier batch offered, whose offer expired unredeemed, gets a new offer
   * (audited as `batch.offers_reissued`) instead of being skipped. Needs its own `outDir`.
   */
  reissueExpired?: boolean;
  onProgress?: (p: BatchProgress) => void;
}

export interface BatchProgress {
  jobId: string;
  line: number;
  totalLines: number;
  issued: number;
  skipped: number;
  errors: number;
}

/** Batch offers go out by letter: they must outlive the post, unlike a sandbox offer's minutes. */
export const DEFAULT_BATCH_OFFER_DAYS = 30;
export const MAX_BATCH_OFFER_DAYS = 365;

/** The offer lifetime a batch asked for, checked: a whole number of days, 1 to 365. */
export function batchOfferDays(value: unknown): number {
  if (value === undefined) return DEFAULT_BATCH_OFFER_DAYS;
  const days = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_BATCH_OFFER_DAYS) {
    throw new ShomeiError('invalid_request', `the offer lifetime must be a whole number of days from 1 to ${MAX_BATCH_OFFER_DAYS}`);
  }
  return days;
}

export interface BatchSummary extends BatchProgress {
  mode: BatchMode;
  /** Offers mode: days each offer may be redeemed after it was written. */
  offerDays?: number;
  outDir: string;
  output: string;
  errorsFile: string;
  resumed: boolean;
  alreadyComplete: boolean;
  seconds: number;
}

interface Prepared {
  lastLine: number;
  /** Lines that could not even be read. */
  unreadable: ErrorLine[];
  /** Parsed, validated and (direct mode) signed on the worker threads while the next chunk is read. */
  parts: Promise<ChunkResult[]>;
}

/**
 * Runs (or resumes) a batch. Each chunk goes: validate rows → allocate status indexes → sign on
 * the worker threads (while the next chunk is read) → append outputs and fsync → one transaction
 * that records the credentials or offers, the external ids, the chunk's audit entry and the checkpoint
 * (next line and output sizes). A crash anywhere leaves either the chunk committed with its output
 * on disk, or not committed: the rerun truncates the outputs to the checkpoint and goes on, so
 * every valid record is issued exactly once and each output line appears once.
 */
export async function runBatch(deps: IssuerDeps, options: BatchOptions): Promise<BatchSummary> {
  const started = Date.now();
  const offerDays = batchOfferDays(options.offerDays);
  if (options.reissueExpired && (options.mode !== 'offers' || options.outDir === undefined)) {
    throw new ShomeiError(
      'invalid_request',
      'reissuing expired offers needs --mode offers and its own --out folder (the first letters stay in theirs)',
    );
  }
  const job = await openJob(deps, options);
  const summary = async (extra: Partial<BatchSummary> = {}) =>
    summaryOf(job, (await findBatchJob(deps.sql, job.id)) as BatchJobRow, started, {
      ...(job.mode === 'offers' ? { offerDays } : {}),
      ...extra,
    });
  if (job.resumed && job.row.finished_at !== null) return summary({ alreadyComplete: true });
  if ((await countChunks(deps.sql, job.id)).total > 0) {
    // Its progress is in its chunks, not in the checkpoint a single run resumes from.
    throw new ShomeiError('conflict', 'this batch is shared by workers: run it with --worker');
  }

  mkdirSync(job.outDir, { recursive: true, mode: 0o700 });
  const lease = await acquireBatchLease(deps.sql, batchLeaseName(job.id), () => deps.now().getTime());
  let out: number;
  let err: number;
  let row: BatchJobRow;
  try {
    row = (await findBatchJob(deps.sql, job.id)) as BatchJobRow; // as of now, under the lease
    out = openAtCheckpoint(job.outputPath, row.out_bytes);
    err = openAtCheckpoint(job.errorsPath, row.err_bytes);
  } catch (e) {
    await lease.release();
    throw e;
  }
  const issuedAt = deps.now().getTime();
  const ctx: ChunkCommitContext = {
    deps,
    jobId: job.id,
    direct: options.mode === 'direct',
    actor: `batch:${job.id.slice(0, 12)}`,
    issuedAt,
    expiresAt: issuedAt + deps.settings.credentialValidityDays * 86_400_000,
    offerTtlSeconds: offerDays * 86_400,
    reissueExpired: options.reissueExpired === true,
    out,
    err,
    state: { ...row },
  };
  try {
    await runChunks(ctx, options, job, row.total_lines ?? 0, () => lease.renew());
    await finishBatchJob(deps.sql, job.id, deps.now().getTime());
  } finally {
    closeSync(out);
    closeSync(err);
    await lease.release();
  }
  const result = await summary();
  writeFileSync(join(job.outDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  return result;
}

/** A batch job as found (resumed) or made: keyed by mode, input file and output folder. */
export interface OpenJob {
  id: string;
  mode: BatchMode;
  file: string;
  outDir: string;
  outputPath: string;
  errorsPath: string;
  resumed: boolean;
  row: BatchJobRow;
}

/** The lease a batch job's run holds (table `leases`). */
export const batchLeaseName = (jobId: string): string => `batch-job:${jobId}`;

/** A job's id: the same command (mode, input file, output folder) resumes the same job. */
export function batchJobId(mode: BatchMode, file: string, outDir: string): string {
  return createHash('sha256').update(`${mode}\n${file}\n${outDir}`).digest('hex').slice(0, 32);
}

export async function openJob(deps: IssuerDeps, options: BatchOptions): Promise<OpenJob> {
  const file = resolve(options.file);
  if (!existsSync(file)) throw new ShomeiError('not_found', 'the batch file does not exist');
  const outDir = resolve(options.outDir ?? `${file}.out`);
  const id = batchJobId(options.mode, file, outDir);
  let row = await findBatchJob(deps.sql, id);
  const resumed = row !== undefined;
  if (!row) {
    await insertBatchJob(deps.sql, { id, mode: options.mode, input: file, out_dir: outDir, started_at: deps.now().getTime() });
    row = (await findBatchJob(deps.sql, id)) as BatchJobRow;
  }
  if (row.finished_at === null && row.total_lines === null) {
    await setTotalLines(deps.sql, id, await countLines(file));
    row = (await findBatchJob(deps.sql, id)) as BatchJobRow;
  }
  const outputPath = join(outDir, OUTPUT_FILE[options.mode]);
  return { id, mode: options.mode, file, outDir, outputPath, errorsPath: join(outDir, ERRORS_FILE), resumed, row };
}

export function summaryOf(job: OpenJob, row: BatchJobRow, started: number, extra: Partial<BatchSummary>): BatchSummary {
  return {
    jobId: job.id,
    mode: job.mode,
    outDir: job.outDir,
    output: job.outputPath,
    errorsFile: job.errorsPath,
    line: row.next_line - 1,
    totalLines: row.total_lines ?? 0,
    issued: row.issued,
    skipped: row.skipped,
    errors: row.errors,
    resumed: job.resumed,
    alreadyComplete: false,
    seconds: (Date.now() - started) / 1000,
    ...extra,
  };
}

/**
 * The pipeline: reads the file from the checkpoint on, reserves each chunk's status slots, hands
 * the chunk to the signing pool and commits the chunk before it, so that two chunks are in
 * flight: the next is read and signed while the previous one is committed.
 */
async function runChunks(
  ctx: ChunkCommitContext,
  options: BatchOptions,
  job: OpenJob,
  totalLines: number,
  renewLease: () => Promise<void>,
): Promise<void> {
  const { deps, direct, state } = ctx;
  const pool = new SigningPool(
    {
      mode: options.mode,
      issuer: deps.baseUrl,
      kid: deps.keys.current.kid,
      ...(direct ? { privateKey: deps.keys.current.privateKey } : {}),
      issuedAt: ctx.issuedAt,
      expiresAt: ctx.expiresAt,
      sdAlg: deps.settings.sdAlg,
    },
    direct ? options.workers : 0,
  );
  const allocator = direct ? new StatusIndexAllocator(deps.sql) : undefined;
  /** The status slot reserved for each line in flight (a refused row leaves its slot unused). */
  const slots = new Map<number, StatusSlot>();

  const prepare = async (chunk: RowChunk): Promise<Prepared> => {
    const unreadable: ErrorLine[] = chunk.unreadable.map((u) => ({ line: u.line, code: 'invalid_row', reason: u.reason }));
    const reserved = await allocator?.reserveAnywhere(chunk.rows.length, deps.now().getTime());
    const items: WorkItem[] = chunk.rows.map((row, i) => {
      const slot = reserved?.[i];
      if (!slot) return { ...row };
      slots.set(row.line, slot);
      return { ...row, statusIdx: slot.idx, statusUri: deps.statusLists.uri(slot.listId) };
    });
    const parts = pool.process({ format: chunk.format, ...(chunk.header ? { header: chunk.header } : {}), bytes: chunk.bytes, items });
    parts.catch(() => {}); // awaited in commit; no unhandled rejection meanwhile
    return { lastLine: chunk.lastLine, unreadable, parts };
  };

  const commit = async (p: Prepared): Promise<void> => {
    const parts = await p.parts;
    await renewLease(); // a run that stalled past its lease must not commit over its successor
    await commitChunk(ctx, parts, p.unreadable, slots, p.lastLine);
    pool.recycle(parts); // the lines are on disk: their buffers can take later chunks
    options.onProgress?.({
      jobId: job.id,
      line: p.lastLine,
      totalLines,
      issued: state.issued,
      skipped: state.skipped,
      errors: state.errors,
    });
  };

  try {
    let inFlight: Prepared | undefined;
    for await (const chunk of readChunks(job.file, state.next_line, options.chunkSize ?? 2000)) {
      const next = await prepare(chunk);
      if (inFlight) await commit(inFlight);
      inFlight = next;
    }
    if (inFlight) await commit(inFlight);
  } finally {
    await pool.close();
  }
}
