/**
 * The one database port every Shomei store is written against: SQL text with `?` placeholders, run
 * on SQLite (embedded, the no-set-up default) or PostgreSQL (several replicas on one server).
 *
 * Stores write portable SQL once: `?` placeholders (the PostgreSQL adapter numbers them),
 * `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE`, `RETURNING`, integers for times (milliseconds)
 * and booleans (0/1). Where the dialects truly differ (row locks, schema DDL) the store asks
 * `dialect`, in one named helper rather than scattered branches.
 */
export type SqlDialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | bigint | boolean | Buffer | Uint8Array | null;

export interface SqlRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Runs statements: the database itself, or one transaction on it. */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
  /** Several statements without parameters (schema changes). */
  exec(sql: string): Promise<void>;
  /**
   * Locks the rows `sql` selects until the transaction ends (PostgreSQL: `FOR UPDATE`). SQLite
   * transactions here take the write lock at BEGIN, so a plain select already excludes writers.
   */
  getForUpdate<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Inside,
   * use `tx`, never the database itself (on SQLite that would wait for this very transaction).
   * Called on a transaction, it joins it: store functions taking an executor compose.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends SqlExecutor {
  close(): Promise<void>;
}

export interface SqlMigration {
  /** Unique, ordered name, e.g. `verifier-001-clients`. */
  id: string;
  /** The schema change in the dialect of the list it belongs to. */
  sql: string;
}
