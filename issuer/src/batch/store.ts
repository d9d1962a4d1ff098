import type { SqlExecutor, SqlValue } from '@shomei/shared';

// The tables are made by the issuer's migrations (store/migrations.ts: issuer-010-batch,
// issuer-013-batch-chunks; PostgreSQL: batch/postgres-schema.ts). Every function takes an executor,
// the database or a transaction on it, and uses SQL both dialects run.
export interface BatchJobRow {
  id: string;
  mode: 'direct' | 'offers';
  input: string;
  out_dir: string;
  total_lines: number | null;
  next_line: number;
  out_bytes: number;
  err_bytes: number;
  issued: number;
  skipped: number;
  errors: number;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function findBatchJob(db: SqlExecutor, id: string): Promise<BatchJobRow | undefined> {
  return db.get<BatchJobRow>('SELECT * FROM batch_jobs WHERE id = ?', [id]);
}

export function findBatchJobByInput(db: SqlExecutor, input: string): Promise<BatchJobRow | undefined> {
  return db.get<BatchJobRow>('SELECT * FROM batch_jobs WHERE input = ?', [input]);
}

/** Jobs whose last sign of life (finished, else last checkpoint) is at or before `cutoff`. */
export function batchJobsIdleSince(db: SqlExecutor, cutoff: number): Promise<BatchJobRow[]> {
  return db.all<BatchJobRow>('SELECT * FROM batch_jobs WHERE COALESCE(finished_at, updated_at) <= ?', [cutoff]);
}

/** Creates the job unless another run (another worker) just did: either way it exists afterwards. */
export async function insertBatchJob(
  db: SqlExecutor,
  row: Pick<BatchJobRow, 'id' | 'mode' | 'input' | 'out_dir' | 'started_at'>,
): Promise<void> {
  await db.run(
    `INSERT INTO batch_jobs (id, mode, input, out_dir, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
    [row.id, row.mode, row.input, row.out_dir, row.started_at, row.started_at],
  );
}

export async function saveCheckpoint(
  db: SqlExecutor,
  row: Pick<BatchJobRow, 'id' | 'next_line' | 'out_bytes' | 'err_bytes' | 'issued' | 'skipped' | 'errors' | 'updated_at'>,
): Promise<void> {
  await db.run(
    `UPDATE batch_jobs SET next_line = ?, out_bytes = ?, err_bytes = ?, issued = ?, skipped = ?, errors = ?, updated_at = ?
      WHERE id = ?`,
    [row.next_line, row.out_bytes, row.err_bytes, row.issued, row.skipped, row.errors, row.updated_at, row.id],
  );
}

export async function setTotalLines(db: SqlExecutor, id: string, total: number): Promise<void> {
  await db.run('UPDATE batch_jobs SET total_lines = ? WHERE id = ?', [total, id]);
}

export async function finishBatchJob(db: SqlExecutor, id: string, at: number): Promise<void> {
  await db.run('UPDATE batch_jobs SET finished_at = ?, updated_at = ? WHERE id = ?', [at, at, id]);
}

/** An external id's earlier record, with its offer's fate (offers mode) for `--reissue-expired`. */
export interface EarlierRecord {
  job_id: string;
  line: number;
  offer_id: string | null;
  offer_expires_at: number | null;
  offer_redeemed_at: number | null;
}

/** Ids per query: well under SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 500;

/**
 * Who already holds each of a chunk's external ids: this job (a duplicate row) or an earlier one
 * (already issued). A few queries per chunk (`IN (?, …)` of up to 500 ids) rather than one per row.
 */
export async function findBatchRecords(db: SqlExecutor, externalIds: readonly string[]): Promise<Map<string, EarlierRecord>> {
  const found = new Map<string, EarlierRecord>();
  for (let i = 0; i < externalIds.length; i += IDS_PER_QUERY) {
    const ids = externalIds.slice(i, i + IDS_PER_QUERY);
    const rows = await db.all<EarlierRecord & { external_id: string }>(
      `SELECT r.external_id, r.job_id, r.line, r.offer_id, o.expires_at AS offer_expires_at, o.redeemed_at AS offer_redeemed_at
         FROM batch_records r LEFT JOIN offers o ON o.id = r.offer_id
        WHERE r.external_id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const { external_id, ...earlier } of rows) found.set(external_id, earlier);
  }
  return found;
}

export interface NewBatchRecord {
  externalId: string;
  jobId: string;
  line: number;
  credentialId: string | null;
  offerId: string | null;
  at: number;
}

export async function insertBatchRecord(db: SqlExecutor, r: NewBatchRecord): Promise<void> {
  await insertBatchRecords(db, [r]);
}

/** Many records, a few hundred per statement. */
export async function insertBatchRecords(db: SqlExecutor, records: readonly NewBatchRecord[]): Promise<void> {
  await insertRows(
    db,
    'INSERT INTO batch_records (external_id, job_id, line, credential_id, offer_id, created_at) VALUES',
    records.map((r) => [r.externalId, r.jobId, r.line, r.credentialId, r.offerId, r.at]),
  );
}

/** Rows per multi-row INSERT: 8 columns × 250 stays far below both databases' parameter limits. */
const ROWS_PER_INSERT = 250;

/**
 * One INSERT per group of rows rather than per row: a chunk commits thousands of rows, and on
 * PostgreSQL each statement is a round trip (on SQLite it saves little, and costs nothing).
 */
async function insertRows(db: SqlExecutor, head: string, rows: readonly SqlValue[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const group = rows.slice(i, i + ROWS_PER_INSERT);
    const tuple = `(${(group[0] as SqlValue[]).map(() => '?').join(', ')})`;
    await db.run(`${head} ${group.map(() => tuple).join(', ')}`, group.flat());
  }
}

/** A reissued record moves to this job: true unless its earlier offer changed meanwhile. */
export async function moveBatchRecord(db: SqlExecutor, r: NewBatchRecord & { replaces: string }): Promise<boolean> {
  const { changes } = await db.run(
    'UPDATE batch_records SET job_id = ?, line = ?, offer_id = ?, created_at = ? WHERE external_id = ? AND offer_id = ?',
    [r.jobId, r.line, r.offerId, r.at, r.externalId, r.replaces],
  );
  return changes === 1;
}

export interface NewBatchCredential {
  id: string;
  statusListId: string;
  statusIdx: number;
  thumbprint: string;
  level: string;
  issuedAt: number;
  expiresAt: number;
  jobId: string;
}

/**
 * A direct-mode credential row (no offer). The `credentials` table is the core's; batch inserts
 * its own rows with the batch job's id, as it did before the port.
 */
export async function insertBatchCredentials(db: SqlExecutor, credentials: readonly NewBatchCredential[]): Promise<void> {
  await insertRows(
    db,
    `INSERT INTO credentials (id, offer_id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox,
       issued_at, expires_at, batch_job_id) VALUES`,
    credentials.map((c) => [c.id, null, c.statusListId, c.statusIdx, c.thumbprint, c.level, 0, c.issuedAt, c.expiresAt, c.jobId]),
  );
}
