import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  writeFileSync,
  writevSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { ShomeiError } from '@shomei/shared';
import { appendAuditMany } from '../audit/append-many.js';
import type { IssuerDeps } from '../deps.js';
import { prepareOffer } from '../issuance/offers.js';
import { StatusIndexAllocator } from '../status/allocator.js';
import { insertOffer } from '../store/offers.js';
import { chunkAuditEvent } from './chunk-audit.js';
import { acquireBatchLock } from './lock.js';
import { SigningPool } from './pool.js';
import { type RowChunk, readChunks } from './reader.js';
import type { BatchRecord } from './record.js';
import type { ChunkResult, Outcome, WorkItem } from './sign-item.js';
import {
  type BatchJobRow,
  findBatchJob,
  findBatchRecordsStatement,
  finishBatchJob,
  insertBatchJob,
  saveCheckpoint,
  setTotalLines,
} from './store.js';

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

export interface BatchSummary extends BatchProgress {
  mode: BatchMode;
  outDir: string;
  output: string;
  errorsFile: string;
  resumed: boolean;
  alreadyComplete: boolean;
  seconds: number;
}

interface ErrorLine {
  line: number;
  external_id?: string;
  code: 'invalid_row' | 'duplicate_external_id';
  reason: string;
}

interface Prepared {
  lastLine: number;
  /** Lines that could not even be read. */
  unreadable: ErrorLine[];
  /** Parsed, validated and (direct mode) signed on the worker threads while the next chunk is read. */
  parts: Promise<ChunkResult[]>;
}

interface Accepted {
  line: number;
  externalId: string;
  id: string;
  outcome: Extract<Outcome, { ok: true }>;
  /** Direct mode: the output line, as written by the signing thread. */
  output?: Uint8Array;
  statusListId: string;
  statusIdx: number;
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
  const file = resolve(options.file);
  if (!existsSync(file)) throw new ShomeiError('not_found', 'the batch file does not exist');
  const outDir = resolve(options.outDir ?? `${file}.out`);
  const chunkSize = options.chunkSize ?? 2000;
  const jobId = createHash('sha256').update(`${options.mode}\n${file}\n${outDir}`).digest('hex').slice(0, 32);
  const outputName = options.mode === 'direct' ? 'credentials.jsonl' : 'offers.jsonl';
  const outputPath = join(outDir, outputName);
  const errorsPath = join(outDir, 'errors.jsonl');

  let job = findBatchJob(deps.db, jobId);
  const resumed = job !== undefined;
  if (!job) {
    insertBatchJob(deps.db, { id: jobId, mode: options.mode, input: file, out_dir: outDir, started_at: deps.now().getTime() });
    job = findBatchJob(deps.db, jobId) as BatchJobRow;
  }
  const summary = (extra: Partial<BatchSummary> = {}): BatchSummary => ({
    jobId,
    mode: options.mode,
    outDir,
    output: outputPath,
    errorsFile: errorsPath,
    line: (job as BatchJobRow).next_line - 1,
    totalLines: (job as BatchJobRow).total_lines ?? 0,
    issued: (job as BatchJobRow).issued,
    skipped: (job as BatchJobRow).skipped,
    errors: (job as BatchJobRow).errors,
    resumed,
    alreadyComplete: false,
    seconds: (Date.now() - started) / 1000,
    ...extra,
  });
  if (job.finished_at !== null) return summary({ alreadyComplete: true });

  if (job.total_lines === null) {
    setTotalLines(deps.db, jobId, await countLines(file));
    job = findBatchJob(deps.db, jobId) as BatchJobRow;
  }
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const releaseLock = acquireBatchLock(join(outDir, '.batch.lock'));
  let out: number;
  let err: number;
  try {
    job = findBatchJob(deps.db, jobId) as BatchJobRow; // as of now, under the lock
    out = openAtCheckpoint(outputPath, job.out_bytes);
    err = openAtCheckpoint(errorsPath, job.err_bytes);
  } catch (e) {
    releaseLock();
    throw e;
  }

  const state = { ...job };
  const issuedAt = deps.now().getTime();
  const expiresAt = issuedAt + deps.settings.credentialValidityDays * 86_400_000;
  const direct = options.mode === 'direct';
  const pool = new SigningPool(
    {
      mode: options.mode,
      issuer: deps.baseUrl,
      kid: deps.keys.current.kid,
      ...(direct ? { privateKey: deps.keys.current.privateKey } : {}),
      issuedAt,
      expiresAt,
      sdAlg: deps.settings.sdAlg,
    },
    direct ? options.workers : 0,
  );
  const allocator = direct ? new StatusIndexAllocator(deps.db) : undefined;
  const actor = `batch:${jobId.slice(0, 12)}`;
  const findRecords = findBatchRecordsStatement(deps.db);
  /** The status slot reserved for each line in flight (a refused row leaves its slot unused). */
  const slots = new Map<number, { listId: string; idx: number }>();

  const prepare = (chunk: RowChunk): Prepared => {
    const unreadable: ErrorLine[] = chunk.unreadable.map((u) => ({ line: u.line, code: 'invalid_row', reason: u.reason }));
    const now = deps.now().getTime();
    const reserved = allocator?.reserveAnywhere(chunk.rows.length, now);
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
    const errors = [...p.unreadable];
    const accepted: Accepted[] = [];
    const seen = new Map<string, number>();
    let skipped = 0;
    const parts = await p.parts;
    const earlierJobs = findRecords(parts.flatMap((part) => part.outcomes.flatMap((o) => (o.ok ? [o.externalId] : []))));
    for (const { outcomes, output } of parts) {
      for (const outcome of outcomes) {
        const slot = slots.get(outcome.line);
        slots.delete(outcome.line);
        if (!outcome.ok) {
          errors.push({
            line: outcome.line,
            ...(outcome.externalId ? { external_id: outcome.externalId } : {}),
            code: 'invalid_row',
            reason: outcome.reason,
          });
          continue;
        }
        // Idempotent by external id: a repeat within this job is an error row; one issued by an
        // earlier job is skipped (already issued) and counted. Chunks commit in file order, so the
        // database holds every earlier chunk's ids and `seen` this chunk's.
        const earlierLine = seen.get(outcome.externalId);
        const earlier = earlierLine !== undefined ? { job_id: jobId, line: earlierLine } : earlierJobs.get(outcome.externalId);
        if (earlier) {
          if (earlier.job_id === jobId) {
            errors.push({
              line: outcome.line,
              external_id: outcome.externalId,
              code: 'duplicate_external_id',
              reason: `external_id already appears on line ${earlier.line}`,
            });
          } else skipped++;
          continue;
        }
        seen.set(outcome.externalId, outcome.line);
        accepted.push({
          line: outcome.line,
          externalId: outcome.externalId,
          id: outcome.id ?? '', // direct mode: made with the credential; offers mode: set with the offer below
          outcome,
          ...(outcome.output ? { output: output.subarray(outcome.output.start, outcome.output.end) } : {}),
          statusListId: slot?.listId ?? '',
          statusIdx: slot?.idx ?? -1,
        });
      }
    }
    errors.sort((a, b) => a.line - b.line);

    const outLines: Uint8Array[] = [];
    const offerRows: ReturnType<typeof prepareOffer>['row'][] = [];
    for (const a of accepted) {
      if (direct) {
        outLines.push(a.output as Uint8Array);
        continue;
      }
      const record = a.outcome.record as BatchRecord;
      const offer = prepareOffer(deps, {
        identity: record.identity,
        assuranceLevel: record.level,
        evidence: { type: record.method, method: record.method },
        proofedAt: record.proofedAt,
        sandbox: false,
      });
      offerRows.push(offer.row);
      a.id = offer.offerId;
      outLines.push(
        Buffer.from(
          `${JSON.stringify({
            external_id: a.externalId,
            line: a.line,
            offer_id: offer.offerId,
            offer_uri: offer.offerUri,
            tx_code: offer.txCode,
            expires_at: offer.expiresAt.toISOString(),
          })}\n`,
        ),
      );
    }
    // Outputs first, durably: a commit never points past what is on disk.
    const outBytes = append(out, state.out_bytes, outLines);
    const errBytes = append(
      err,
      state.err_bytes,
      errors.map((e) => Buffer.from(`${JSON.stringify(e)}\n`)),
    );
    pool.recycle(parts); // the lines are on disk: their buffers can take later chunks
    const at = deps.now().getTime();
    state.next_line = p.lastLine + 1;
    state.out_bytes = outBytes;
    state.err_bytes = errBytes;
    state.issued += accepted.length;
    state.skipped += skipped;
    state.errors += errors.length;
    state.updated_at = at;
    deps.db
      .transaction(() => {
        const insertRecord = deps.db.prepare(
          'INSERT INTO batch_records (external_id, job_id, line, credential_id, offer_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        );
        const insertCredential = deps.db.prepare(
          `INSERT INTO credentials (id, offer_id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox,
             issued_at, expires_at, batch_job_id) VALUES (?, NULL, ?, ?, ?, ?, 0, ?, ?, ?)`,
        );
        for (const row of offerRows) insertOffer(deps.db, row);
        for (const a of accepted) {
          if (direct) {
            insertCredential.run(a.id, a.statusListId, a.statusIdx, a.outcome.thumbprint, a.outcome.level, issuedAt, expiresAt, jobId);
            insertRecord.run(a.externalId, jobId, a.line, a.id, null, at);
          } else insertRecord.run(a.externalId, jobId, a.line, null, a.id, at);
        }
        if (accepted.length > 0) {
          const records = accepted.map((a) => ({ line: a.line, id: a.id, level: a.outcome.level, method: a.outcome.method }));
          appendAuditMany(deps.db, at, [chunkAuditEvent(actor, jobId, direct, records)]);
        }
        saveCheckpoint(deps.db, state);
      })
      .immediate();
    options.onProgress?.({
      jobId,
      line: p.lastLine,
      totalLines: job?.total_lines ?? 0,
      issued: state.issued,
      skipped: state.skipped,
      errors: state.errors,
    });
  };

  try {
    // Two chunks in flight: the next is read and signed while the previous one is committed.
    let inFlight: Prepared | undefined;
    for await (const chunk of readChunks(file, state.next_line, chunkSize)) {
      const next = prepare(chunk);
      if (inFlight) await commit(inFlight);
      inFlight = next;
    }
    if (inFlight) await commit(inFlight);
    finishBatchJob(deps.db, jobId, deps.now().getTime());
  } finally {
    closeSync(out);
    closeSync(err);
    await pool.close();
    releaseLock();
  }
  job = findBatchJob(deps.db, jobId) as BatchJobRow;
  const result = summary();
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  return result;
}

/** Opens an output file for appending after cutting it back to the last committed size. */
function openAtCheckpoint(path: string, committedBytes: number): number {
  if (!existsSync(path) && committedBytes > 0) {
    throw new ShomeiError('conflict', `${path} is missing but the batch checkpoint says ${committedBytes} bytes were written`);
  }
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w+', 0o600);
  const size = fstatSync(fd).size;
  if (size < committedBytes) {
    closeSync(fd);
    throw new ShomeiError('conflict', `${path} is shorter than the batch checkpoint: it was changed outside the batch`);
  }
  if (size > committedBytes) {
    // Lines written for a chunk whose commit never happened: that chunk is done again.
    ftruncateSync(fd, committedBytes);
  }
  return fd;
}

/** Appends `lines` (each ending in a newline) at `size`, the file's committed length, and fsyncs; returns the new length. */
function append(fd: number, size: number, lines: readonly Uint8Array[]): number {
  if (lines.length === 0) return size;
  let at = size;
  // writev takes at most IOV_MAX (1024) buffers per call.
  for (let i = 0; i < lines.length; i += 1024) {
    const part = lines.slice(i, i + 1024);
    const want = part.reduce((n, l) => n + l.length, 0);
    const wrote = writevSync(fd, part, at);
    // A short write to a regular file means the disk is full; the checkpoint has not moved, so a
    // rerun cuts the file back and redoes this chunk.
    if (wrote !== want) throw new ShomeiError('storage_unavailable', 'could not write the batch output (disk full?)');
    at += wrote;
  }
  fsyncSync(fd);
  return at;
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  let last = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    last = chunk[chunk.length - 1] ?? last;
  }
  return last === 10 ? n : n + 1;
}
