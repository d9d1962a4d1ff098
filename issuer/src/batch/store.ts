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
