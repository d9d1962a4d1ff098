import type { SqlExecutor, SqlMigration } from './types.js';

/**
 * Named leases in the database: work that one replica at a time must do (a scheduled job, a batch
 * job's coordinator) is done by whoever holds its lease. A lease lasts `ttlMs` unless renewed; a
 * holder that dies simply stops renewing, and another takes over once it has run out.
 * The same SQL serves SQLite and PostgreSQL.
 */
export const leaseMigration: SqlMigration = {
  id: 'shared-001-leases',
  sql: 'CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)',
};

/**
 * Takes or renews the lease `name` for `holder`; true when `holder` holds it afterwards. One
 * statement (an upsert whose update applies only to an expired lease or the holder's own), so two
 * replicas asking at once never both win.
 */
export async function acquireLease(db: SqlExecutor, name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
  const row = await db.get<{ holder: string }>(
    `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
     RETURNING holder`,
    [name, holder, now + ttlMs, now],
  );
  return row?.holder === holder;
}

/** Gives the lease up (only if `holder` holds it), so that another replica need not wait it out. */
export async function releaseLease(db: SqlExecutor, name: string, holder: string): Promise<void> {
  await db.run('DELETE FROM leases WHERE name = ? AND holder = ?', [name, holder]);
}
