import { createHash, randomUUID } from 'node:crypto';
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
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { jwkThumbprint, ShomeiError } from '@shomei/shared';
import { appendAuditMany } from '../audit/append-many.js';
import type { IssuerDeps } from '../deps.js';
import { prepareOffer } from '../oid4vci/offers.js';
import { insertOffer } from '../store/offers.js';
import { acquireBatchLock } from './lock.js';
import { SigningPool } from './pool.js';
import { type RawRow, readRows } from './reader.js';
import { type BatchRecord, validateRow } from './record.js';
import type { SignItem, SignResult } from './sign-item.js';
import { BatchStatusAllocator } from './status-allocator.js';
import {
  type BatchJobRow,
  findBatchJob,
  findBatchRecordStatement,
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
  errors: ErrorLine[];
  skipped: number;
  records: { line: number; record: BatchRecord; credentialId: string; statusListId: string; statusIdx: number }[];
  /** Direct mode: the signatures being made while the next chunk is read. */
  signing?: Promise<SignResult[]>;
}

/**
 * Runs (or resumes) a batch. Each chunk goes: validate rows → allocate status indexes → sign on
 * the worker threads (while the next chunk is read) → append outputs and fsync → one transaction
 * that records the credentials or offers, the external ids, the audit entries and the checkpoint
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
  const pool =
    options.mode === 'direct'
      ? new SigningPool(
          { issuer: deps.baseUrl, kid: deps.keys.current.kid, privateKey: deps.keys.current.privateKey, issuedAt, expiresAt },
          options.workers,
        )
      : undefined;
  const allocator = options.mode === 'direct' ? new BatchStatusAllocator(deps.db) : undefined;
  const actor = `batch:${jobId.slice(0, 12)}`;
  const pendingIds = new Map<string, number>();
  const findRecord = findBatchRecordStatement(deps.db);

  const prepare = (rows: RawRow[]): Prepared => {
    const prepared: Prepared = { lastLine: rows[rows.length - 1]?.line ?? state.next_line - 1, errors: [], skipped: 0, records: [] };
    const now = deps.now();
    for (const raw of rows) {
      if (raw.error !== undefined) {
        prepared.errors.push({ line: raw.line, code: 'invalid_row', reason: raw.error });
        continue;
      }
      let record: BatchRecord;
      try {
        record = validateRow(raw.row, options.mode === 'direct', now);
      } catch (e) {
        const externalId = (raw.row as { external_id?: unknown } | undefined)?.external_id;
        prepared.errors.push({
          line: raw.line,
          ...(typeof externalId === 'string' && externalId.length <= 128 ? { external_id: externalId } : {}),
          code: 'invalid_row',
          reason: e instanceof ShomeiError ? e.message : 'invalid row',
        });
        continue;
      }
      // Idempotent by external id: a repeat within this job is an error row; one issued by an
      // earlier job is skipped (already issued) and counted. Ids of chunks prepared but not yet
      // committed are only in `pendingIds`, not yet in the database.
      const pendingLine = pendingIds.get(record.externalId);
      const earlier = pendingLine !== undefined ? { job_id: jobId, line: pendingLine } : findRecord(record.externalId);
      if (earlier) {
        if (earlier.job_id === jobId) {
          prepared.errors.push({
            line: raw.line,
            external_id: record.externalId,
            code: 'duplicate_external_id',
            reason: `external_id already appears on line ${earlier.line}`,
          });
        } else prepared.skipped++;
        continue;
      }
      pendingIds.set(record.externalId, raw.line);
      const slot = allocator?.allocate(now.getTime()) ?? { listId: '', idx: -1 };
      prepared.records.push({ line: raw.line, record, credentialId: randomUUID(), statusListId: slot.listId, statusIdx: slot.idx });
    }
    if (pool) {
      const items: SignItem[] = prepared.records.map((r) => ({
        identity: r.record.identity,
        level: r.record.level,
        method: r.record.method,
        proofedAt: r.record.proofedAt.getTime(),
        holderJwk: r.record.holderJwk as NonNullable<BatchRecord['holderJwk']>,
        statusIdx: r.statusIdx,
        statusUri: deps.statusLists.uri(r.statusListId),
      }));
      prepared.signing = pool.sign(items);
      prepared.signing.catch(() => {}); // awaited in commit; avoid an unhandled rejection meanwhile
    }
    return prepared;
  };

  const commit = async (p: Prepared): Promise<void> => {
    const outLines: string[] = [];
    const offerRows: ReturnType<typeof prepareOffer>['row'][] = [];
    if (options.mode === 'direct') {
      const results = await (p.signing as Promise<SignResult[]>);
      const signed: Prepared['records'] = [];
      p.records.forEach((r, i) => {
        const result = results[i] as SignResult;
        if ('error' in result) {
          p.errors.push({ line: r.line, external_id: r.record.externalId, code: 'invalid_row', reason: result.error });
          pendingIds.delete(r.record.externalId);
          return;
        }
        signed.push(r);
        outLines.push(
          JSON.stringify({ external_id: r.record.externalId, line: r.line, credential_id: r.credentialId, credential: result.credential }),
        );
      });
      p.records = signed;
      p.errors.sort((a, b) => a.line - b.line);
    } else {
      for (const r of p.records) {
        const offer = prepareOffer(deps, {
          identity: r.record.identity,
          assuranceLevel: r.record.level,
          evidence: { type: r.record.method, method: r.record.method },
          proofedAt: r.record.proofedAt,
          sandbox: false,
        });
        offerRows.push(offer.row);
        r.credentialId = offer.offerId;
        outLines.push(
          JSON.stringify({
            external_id: r.record.externalId,
            line: r.line,
            offer_id: offer.offerId,
            offer_uri: offer.offerUri,
            tx_code: offer.txCode,
            expires_at: offer.expiresAt.toISOString(),
          }),
        );
      }
    }
    // Outputs first, durably: a commit never points past what is on disk.
    const outBytes = appendLines(out, outLines);
    const errBytes = appendLines(
      err,
      p.errors.map((e) => JSON.stringify(e)),
    );
    const at = deps.now().getTime();
    state.next_line = p.lastLine + 1;
    state.out_bytes = outBytes;
    state.err_bytes = errBytes;
    state.issued += p.records.length;
    state.skipped += p.skipped;
    state.errors += p.errors.length;
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
        for (const r of p.records) {
          if (options.mode === 'direct') {
            insertCredential.run(
              r.credentialId,
              r.statusListId,
              r.statusIdx,
              jwkThumbprint(r.record.holderJwk as NonNullable<BatchRecord['holderJwk']>),
              r.record.level,
              issuedAt,
              expiresAt,
              jobId,
            );
            insertRecord.run(r.record.externalId, jobId, r.line, r.credentialId, null, at);
          } else insertRecord.run(r.record.externalId, jobId, r.line, null, r.credentialId, at);
        }
        appendAuditMany(
          deps.db,
          at,
          p.records.map((r) => ({
            actor,
            action: options.mode === 'direct' ? 'credential.issued' : 'offer.created',
            subject: r.credentialId,
            data: { batch_job: jobId, line: r.line, assurance_level: r.record.level, method: r.record.method },
          })),
        );
        saveCheckpoint(deps.db, state);
      })
      .immediate();
    for (const r of p.records) pendingIds.delete(r.record.externalId);
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
    let chunk: RawRow[] = [];
    let inFlight: Prepared | undefined;
    for await (const row of readRows(file)) {
      if (row.line < state.next_line) continue;
      chunk.push(row);
      if (chunk.length >= chunkSize) {
        const next = prepare(chunk);
        chunk = [];
        if (inFlight) await commit(inFlight);
        inFlight = next;
      }
    }
    const last = chunk.length ? prepare(chunk) : undefined;
    if (inFlight) await commit(inFlight);
    if (last) await commit(last);
    finishBatchJob(deps.db, jobId, deps.now().getTime());
  } finally {
    closeSync(out);
    closeSync(err);
    await pool?.close();
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

function appendLines(fd: number, lines: string[]): number {
  if (lines.length > 0) {
    const size = fstatSync(fd).size;
    writeSync(fd, `${lines.join('\n')}\n`, size);
    fsyncSync(fd);
  }
  return fstatSync(fd).size;
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
