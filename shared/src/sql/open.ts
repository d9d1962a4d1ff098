import { type Migration, openDatabase } from '../store/db.js';
import { migrateSql } from './migrate.js';
import { PostgresDatabase, type PostgresOptions } from './postgres.js';
import { SqliteDatabase } from './sqlite.js';
import type { SqlDatabase, SqlMigration } from './types.js';

export interface ServiceSchema {
  /** SQLite's migrations, with the history existing files went through. */
  sqlite: readonly Migration[];
  /** PostgreSQL's migrations (it started later: a baseline of today's schema, then changes). */
  postgres: readonly SqlMigration[];
}

/** True for a `postgres://` or `postgresql://` URL, the `--database` / `SHOMEI_DATABASE_URL` form. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * Opens a service's database and applies its migrations: a PostgreSQL URL connects to that server
 * (replicas share it), anything else is a SQLite file (created 0600) or `:memory:`.
 */
export async function openServiceDatabase(target: string, schema: ServiceSchema, options: PostgresOptions = {}): Promise<SqlDatabase> {
  if (!isPostgresUrl(target)) return new SqliteDatabase(openDatabase(target, schema.sqlite));
  const db = await PostgresDatabase.connect(target, options);
  try {
    await migrateSql(db, schema.postgres);
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** A URL for logs and summaries: the password replaced by `***`. */
export function redactDatabaseUrl(target: string): string {
  if (!isPostgresUrl(target)) return target;
  try {
    const url = new URL(target);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
