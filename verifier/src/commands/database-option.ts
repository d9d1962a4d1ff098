import { join } from 'node:path';
import { Option } from 'commander';
import { DATABASE_FILE } from '../serve.js';
import { openVerifierStore } from '../store/sql-store.js';

/** `--database`: where the verifier's rows live. Replicas behind a load balancer share one PostgreSQL database. */
export const databaseOption = () =>
  new Option(
    '--database <url|file>',
    `PostgreSQL URL (postgres://user:pass@host/db) or SQLite file (default: <data>/${DATABASE_FILE})`,
  ).env('SHOMEI_DATABASE_URL');

/** The store a command works on: `--database` if given, else the SQLite file in the data folder. */
export function openStoreFrom(opts: { data: string; database?: string }) {
  return openVerifierStore(opts.database ?? join(opts.data, DATABASE_FILE));
}
