import type { SqlExecutor, SqlValue } from '@shomei/shared';

/**
 * The chunks of a batch job that several workers share (`shomei-issuer batch --worker`, one host
 * or many): each is a range of the input's lines. A worker claims the next one under a claim lease,
 * signs it, and commits its records, its output lines and its `done` in one transaction. A claim
 * whose lease ran out (its worker was killed) is claimed again by whoever asks next; the commit of
 * a claim that was taken over is refused, so a chunk is committed once.
 */
export type ChunkState = 'pending' | 'claimed' | 'done';

export interface BatchChunkRow {
  job_id: string;
  chunk_no: number;
  first_line: number;
  line_count: number;
  state: ChunkState;
  claimed_by: string | null;
  lease_expires_at: number | null;
  attempts: number;
  out_sealed: string | null;
  err_sealed: string | null;
  issued: number;
  skipped: number;
  errors: number;
}

export interface ChunkPlan {
  firstLine: number;
  lineCount: number;
}

/** Records a job's chunks (numbered from 0 in line order); a second planner's rows change nothing. */
export async function planChunks(tx: SqlExecutor, jobId: string, chunks: readonly ChunkPlan[]): Promise<void> {
  for (const [n, c] of chunks.entries()) {
    await tx.run(
      `INSERT INTO batch_chunks (job_id, chunk_no, first_line, line_count) VALUES (?, ?, ?, ?)
       ON CONFLICT (job_id, chunk_no) DO NOTHING`,
      [jobId, n, c.firstLine, c.lineCount],
    );
  }
}

export async function countChunks(db: SqlExecutor, jobId: string): Promise<{ total: number; done: number }> {
  const row = await db.get<{ total: number; done: number | null }>(
    "SELECT COUNT(*) AS total, SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done FROM batch_chunks WHERE job_id = ?",
    [jobId],
  );
  return { total: Number(row?.total ?? 0), done: Number(row?.done ?? 0) };
}

/**
 * Selects rows to claim, skipping rows another transaction has locked. PostgreSQL: `FOR UPDATE
 * SKIP LOCKED`, so concurrent workers each get a different chunk instead of queueing on one.
 * SQLite: a plain select, as the port's transactions begin IMMEDIATE and so already serialise
 * every claim on the file (one process or several).
 */
async function selectSkippingLocked<T>(tx: SqlExecutor, sql: string, params: readonly SqlValue[]): Promise<T | undefined> {
  return tx.get<T>(tx.dialect === 'postgres' ? `${sql} FOR UPDATE SKIP LOCKED` : sql, params);
}

/**
 * Claims the job's next chunk for `worker`: the first pending one, or one whose claim lease has
 * run out (its worker died). Undefined when none is left to claim (all done, or all claimed by
 * live workers).
 */
export async function claimNextChunk(
  db: SqlExecutor,
  jobId: string,
  worker: string,
  now: number,
  ttlMs: number,
): Promise<BatchChunkRow | undefined> {
  return db.transaction(async (tx) => {
    const next = await selectSkippingLocked<{ chunk_no: number }>(
      tx,
      `SELECT chunk_no FROM batch_chunks
        WHERE job_id = ? AND (state = 'pending' OR (state = 'claimed' AND lease_expires_at <= ?))
        ORDER BY chunk_no LIMIT 1`,
      [jobId, now],
    );
    if (!next) return undefined;
    return tx.get<BatchChunkRow>(
      `UPDATE batch_chunks SET state = 'claimed', claimed_by = ?, lease_expires_at = ?, attempts = attempts + 1
        WHERE job_id = ? AND chunk_no = ? RETURNING *`,
      [worker, now + ttlMs, jobId, next.chunk_no],
    );
  });
}

/** Extends `worker`'s claim; false when it no longer holds it (taken over after its lease ran out). */
export async function renewChunkClaim(
  db: SqlExecutor,
  jobId: string,
  chunkNo: number,
  worker: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const { changes } = await db.run(
    "UPDATE batch_chunks SET lease_expires_at = ? WHERE job_id = ? AND chunk_no = ? AND state = 'claimed' AND claimed_by = ?",
    [now + ttlMs, jobId, chunkNo, worker],
  );
  return changes === 1;
}

export interface ChunkOutcome {
  /** The chunk's output and error lines, sealed (they hold tx_codes or credentials). */
  outSealed: string;
  errSealed: string;
  issued: number;
  skipped: number;
  errors: number;
}

/**
 * Marks the chunk done with its outputs, inside the transaction that records its credentials or
 * offers; false when `worker` no longer holds the claim (the caller must roll back: another
 * worker is doing, or did, this chunk).
 */
export async function completeChunk(
  tx: SqlExecutor,
  jobId: string,
  chunkNo: number,
  worker: string,
  outcome: ChunkOutcome,
): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE batch_chunks SET state = 'done', lease_expires_at = NULL, out_sealed = ?, err_sealed = ?, issued = ?, skipped = ?, errors = ?
      WHERE job_id = ? AND chunk_no = ? AND state = 'claimed' AND claimed_by = ?`,
    [outcome.outSealed, outcome.errSealed, outcome.issued, outcome.skipped, outcome.errors, jobId, chunkNo, worker],
  );
  return changes === 1;
}

/** Gives a claim back (the worker failed on it and stops): the next worker need not wait out the lease. */
export async function releaseChunkClaim(db: SqlExecutor, jobId: string, chunkNo: number, worker: string): Promise<void> {
  await db.run(
    "UPDATE batch_chunks SET state = 'pending', claimed_by = NULL, lease_expires_at = NULL WHERE job_id = ? AND chunk_no = ? AND state = 'claimed' AND claimed_by = ?",
    [jobId, chunkNo, worker],
  );
}

/** The done chunks' outputs in line order, for assembling the job's files. */
export function doneChunks(db: SqlExecutor, jobId: string): Promise<Pick<BatchChunkRow, 'chunk_no' | 'out_sealed' | 'err_sealed'>[]> {
  return db.all("SELECT chunk_no, out_sealed, err_sealed FROM batch_chunks WHERE job_id = ? AND state = 'done' ORDER BY chunk_no", [jobId]);
}

/** Once the files are assembled, the sealed copies go (they hold secrets the files now hold). */
export async function clearChunkOutputs(db: SqlExecutor, jobId: string): Promise<void> {
  await db.run('UPDATE batch_chunks SET out_sealed = NULL, err_sealed = NULL WHERE job_id = ?', [jobId]);
}
