import type { Db } from '@shomei/shared';

// The tables are made by the issuer's migrations (store/migrations.ts, issuer-010-batch).
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
/** An external id's earlier record, with its offer's fate (offers mode) for `--reissue-expired`. */
export interface EarlierRecord {
  job_id: string;
  line: number;
  offer_id: string | null;
  offer_expires_at: number | null;
  offer_redeemed_at: number | null;
}

export function findBatchRecordsStatement(db: Db): (externalIds: readonly string[]) => Map<string, EarlierRecord> {
  const statement = db.prepare(
    `SELECT r.external_id, r.job_id, r.line, r.offer_id, o.expires_at AS offer_expires_at, o.redeemed_at AS offer_redeemed_at
       FROM batch_records r LEFT JOIN offers o ON o.id = r.offer_id
      WHERE r.external_id IN (SELECT value FROM json_each(?))`,
  );
  return (externalIds) => {
    const found = new Map<string, EarlierRecord>();
    if (externalIds.length === 0) return found;
    for (const r of statement.all(JSON.stringify(externalIds)) as (EarlierRecord & { external_id: string })[]) {
      const { external_id, ...earlier } = r;
      found.set(external_id, earlier);
    }
    return found;
  };
}
