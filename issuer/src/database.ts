import { openServiceDatabase, type SqlDatabase, type SqlMigration, vaultPostgresMigrations } from '@shomei/shared';
import { proofingBatchPostgresMigrations } from './batch/postgres-schema.js';
import { issuerMigrations } from './store/migrations.js';
import { issuerCorePostgresMigrations } from './store/postgres-core.js';

/** The issuer's PostgreSQL schema: the key vault, the OpenID4VCI core, then proofing and batch. */
export const issuerPostgresMigrations: readonly SqlMigration[] = [
  ...vaultPostgresMigrations,
  ...issuerCorePostgresMigrations,
  ...proofingBatchPostgresMigrations,
];

/**
 * The issuer's database, migrated: a SQLite file (or `:memory:`), or a `postgres://` URL that
 * replicas, batch workers and the operator commands share. `max` caps PostgreSQL connections.
 */
export function openIssuerDatabase(target: string, options: { max?: number } = {}): Promise<SqlDatabase> {
  return openServiceDatabase(target, { sqlite: issuerMigrations, postgres: issuerPostgresMigrations }, options);
}
