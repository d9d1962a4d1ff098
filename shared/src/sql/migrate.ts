import type { SqlExecutor, SqlMigration } from './types.js';

/** Any fixed number serves as the advisory lock's key; this one spells "SHOM". */
const MIGRATION_LOCK_KEY = 0x53484f4d;

/**
 * Applies the migrations not yet applied, all in one transaction, so that two replicas starting
 * at once never both apply one: on PostgreSQL the first takes a transaction-scoped advisory lock
 * and the second waits for it, then finds everything applied (PostgreSQL's DDL is transactional);
 * on SQLite the IMMEDIATE transaction holds the file's write lock. Returns the ids applied.
 */
export async function migrateSql(db: SqlExecutor, migrations: readonly SqlMigration[], now = () => new Date()): Promise<string[]> {
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const applied = new Set((await tx.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, now().toISOString()]);
      done.push(m.id);
    }
    return done;
  });
}
