import type { Db, Migration } from '@shomei/shared';

/**
 * Batch jobs and their records. A job is keyed by (mode, input file, output folder), so running
 * the same command again resumes it; `batch_records` makes issuance idempotent by external id
 * across jobs. Direct-mode credentials have no offer, so `credentials.offer_id` becomes nullable
 * (SQLite cannot relax NOT NULL in place: the table is rebuilt with the same rows).
 */
export const batchMigration: Migration = {
  id: 'issuer-010-batch',
  sql: `
    CREATE TABLE batch_jobs (
      id TEXT PRIMARY KEY,
      mode TEXT NOT NULL,
      input TEXT NOT NULL,
      out_dir TEXT NOT NULL,
      total_lines INTEGER,
      next_line INTEGER NOT NULL DEFAULT 1,
      out_bytes INTEGER NOT NULL DEFAULT 0,
      err_bytes INTEGER NOT NULL DEFAULT 0,
      issued INTEGER NOT NULL DEFAULT 0,
      skipped INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      started_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER);
    CREATE TABLE batch_records (
      external_id TEXT PRIMARY KEY,
      job_id TEXT NOT NULL REFERENCES batch_jobs(id),
      line INTEGER NOT NULL,
      credential_id TEXT,
      offer_id TEXT,
      created_at INTEGER NOT NULL);
  `,
  run: relaxCredentialOffer,
};

/**
 * Rebuilds `credentials` from its current definition (whatever columns earlier migrations gave
 * it) with `offer_id` nullable and a `batch_job_id` column; rows, constraints and indexes are kept.
 */
function relaxCredentialOffer(db: Db): void {
  const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'credentials'").get() as { sql: string };
  const relaxed = table.sql
    .replace(/^CREATE TABLE credentials/, 'CREATE TABLE credentials_rebuilt')
    .replace(/offer_id TEXT NOT NULL/, 'offer_id TEXT');
  if (relaxed === table.sql.replace(/^CREATE TABLE credentials/, 'CREATE TABLE credentials_rebuilt')) {
    throw new Error('credentials.offer_id has an unexpected definition');
  }
  const columns = (db.prepare('PRAGMA table_info(credentials)').all() as { name: string }[]).map((c) => c.name).join(', ');
  const indexes = (
    db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'credentials' AND sql IS NOT NULL").all() as {
      sql: string;
    }[]
  ).map((i) => i.sql);
  db.pragma('defer_foreign_keys = ON');
  db.exec(relaxed);
  db.exec(`INSERT INTO credentials_rebuilt (${columns}) SELECT ${columns} FROM credentials`);
  db.exec('DROP TABLE credentials');
  db.exec('ALTER TABLE credentials_rebuilt RENAME TO credentials');
  for (const sql of indexes) db.exec(sql);
  db.exec('ALTER TABLE credentials ADD COLUMN batch_job_id TEXT REFERENCES batch_jobs(id)');
}

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

export function findBatchJob(db: Db, id: string): BatchJobRow | undefined {
  return db.prepare('SELECT * FROM batch_jobs WHERE id = ?').get(id) as BatchJobRow | undefined;
}

export function insertBatchJob(db: Db, row: Pick<BatchJobRow, 'id' | 'mode' | 'input' | 'out_dir' | 'started_at'>): void {
  db.prepare(
    'INSERT INTO batch_jobs (id, mode, input, out_dir, started_at, updated_at) VALUES (@id, @mode, @input, @out_dir, @started_at, @started_at)',
  ).run(row);
}

export function saveCheckpoint(
  db: Db,
  row: Pick<BatchJobRow, 'id' | 'next_line' | 'out_bytes' | 'err_bytes' | 'issued' | 'skipped' | 'errors' | 'updated_at'>,
): void {
  db.prepare(
    `UPDATE batch_jobs SET next_line = @next_line, out_bytes = @out_bytes, err_bytes = @err_bytes, issued = @issued,
       skipped = @skipped, errors = @errors, updated_at = @updated_at WHERE id = @id`,
  ).run(row);
}

export function setTotalLines(db: Db, id: string, total: number): void {
  db.prepare('UPDATE batch_jobs SET total_lines = ? WHERE id = ?').run(total, id);
}

export function finishBatchJob(db: Db, id: string, at: number): void {
  db.prepare('UPDATE batch_jobs SET finished_at = ?, updated_at = ? WHERE id = ?').run(at, at, id);
}

/**
 * Who already holds each of a chunk's external ids: this job (a duplicate row) or an earlier one
 * (already issued). One query per chunk (the ids as a JSON array) rather than one per row.
 */
export function findBatchRecordsStatement(db: Db): (externalIds: readonly string[]) => Map<string, { job_id: string; line: number }> {
  const statement = db.prepare('SELECT external_id, job_id, line FROM batch_records WHERE external_id IN (SELECT value FROM json_each(?))');
  return (externalIds) => {
    const found = new Map<string, { job_id: string; line: number }>();
    if (externalIds.length === 0) return found;
    for (const r of statement.all(JSON.stringify(externalIds)) as { external_id: string; job_id: string; line: number }[]) {
      found.set(r.external_id, { job_id: r.job_id, line: r.line });
    }
    return found;
  };
}
