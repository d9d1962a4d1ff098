// vitest global set-up: one PostgreSQL server for the whole run (initdb + pg_ctl on a free loopback
// port), shared by every test file through SHOMEI_TEST_POSTGRES_URL; each file makes its own
// database on it (`createTestDatabase`). Stopped when the run ends.
import { startPostgresServer } from '../../scripts/lib/postgres.mjs';
import { TEST_POSTGRES_ENV } from '../../shared/src/testing/postgres.js';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env[TEST_POSTGRES_ENV]) return async () => {};
  const server = await startPostgresServer();
  process.env[TEST_POSTGRES_ENV] = server.url;
  return () => server.stop();
}
