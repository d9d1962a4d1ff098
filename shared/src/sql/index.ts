export { isUniqueViolation } from './errors.js';
export { acquireLease, leaseMigration, releaseLease } from './leases.js';
export { migrateSql } from './migrate.js';
export { isPostgresUrl, openServiceDatabase, redactDatabaseUrl, type ServiceSchema } from './open.js';
export { PostgresDatabase, type PostgresOptions } from './postgres.js';
export { SqliteDatabase } from './sqlite.js';
export type { SqlDatabase, SqlDialect, SqlExecutor, SqlMigration, SqlRunResult, SqlValue } from './types.js';
