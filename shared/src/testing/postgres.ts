import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateSql } from '../sql/migrate.js';
import { PostgresDatabase } from '../sql/postgres.js';
import { SqliteDatabase } from '../sql/sqlite.js';
import type { SqlDatabase, SqlMigration } from '../sql/types.js';
import { type Migration, openDatabase } from '../store/db.js';

/** Where the test run's PostgreSQL server is (set by the suite's global set-up, read by every test file). */
export const TEST_POSTGRES_ENV = 'SHOMEI_TEST_POSTGRES_URL';

/**
 * A fresh, empty database on the test run's server (one server per run, one database per test
 * file or test): its URL. Fails clearly when the suite's global set-up did not start the server.
 */
export async function createTestDatabase(): Promise<string> {
  const serverUrl = process.env[TEST_POSTGRES_ENV];
  if (!serverUrl) throw new Error(`${TEST_POSTGRES_ENV} is not set: run the tests through vitest (its global set-up starts PostgreSQL)`);
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Two handles on one fresh database, on each backend, for contract tests of code that must hold
 * across replicas: on PostgreSQL two pools (two replicas); on SQLite one connection used twice (a
 * process keeps one per file; see shared/src/sql/sql.test.ts for why).
 */
export interface TwoHandleBackend {
  name: 'sqlite' | 'postgres';
  open(): Promise<[SqlDatabase, SqlDatabase]>;
}

export function twoHandleBackends(schema: { sqlite: readonly Migration[]; postgres: readonly SqlMigration[] }): TwoHandleBackend[] {
  return [
    {
      name: 'sqlite',
      open: async () => {
        const db = new SqliteDatabase(openDatabase(':memory:', schema.sqlite));
        return [db, db];
      },
    },
    {
      name: 'postgres',
      open: async () => {
        const url = await createTestDatabase();
        const a = await PostgresDatabase.connect(url);
        await migrateSql(a, schema.postgres);
        return [a, await PostgresDatabase.connect(url)];
      },
    },
  ];
}
