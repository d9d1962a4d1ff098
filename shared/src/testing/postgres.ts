import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
