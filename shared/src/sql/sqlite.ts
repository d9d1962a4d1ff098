import type Database from 'better-sqlite3';
import type { SqlDatabase, SqlExecutor, SqlRunResult, SqlValue } from './types.js';

type Statement = Database.Statement<unknown[]>;

/** How many prepared statements one connection keeps (stores use a few dozen distinct texts). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite adapter of the database port, over one better-sqlite3 connection (the same one the
 * service's synchronous code may still hold: both see one connection and one transaction state).
 *
 * better-sqlite3 is synchronous, so a statement outside a transaction simply runs. An async
 * transaction spans awaits, though, and another caller's statement must not land inside it: while a
 * transaction is open, every other call waits its turn (one writer at a time is SQLite's rule
 * anyway). Transactions begin IMMEDIATE, taking the write lock at once, so a read-then-write
 * inside one never loses to another process on the same file.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  private locked = false;
  private readonly waiting: (() => void)[] = [];
  private readonly inside: SqlExecutor;

  constructor(
    readonly connection: Database.Database,
    private readonly closeConnection = true,
  ) {
    this.inside = this.executorInsideTransaction();
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.whenFree(() => this.statement(sql).all(...bind(params)) as T[]);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.whenFree(() => this.statement(sql).get(...bind(params)) as T | undefined);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlRunResult> {
    return this.whenFree(() => this.runNow(sql, params));
  }

  async exec(sql: string): Promise<void> {
    return this.whenFree(() => {
      this.connection.exec(sql);
    });
  }

  getForUpdate<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.get<T>(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      // A synchronous caller on the same connection may have one open (better-sqlite3 nests those
      // as savepoints); join it rather than fail on a nested BEGIN.
      if (this.connection.inTransaction) return await fn(this.inside);
      this.connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inside);
        this.connection.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.acquire();
    try {
      this.statements.clear();
      if (this.closeConnection && this.connection.open) this.connection.close();
    } finally {
      this.release();
    }
  }

  private executorInsideTransaction(): SqlExecutor {
    const inside: SqlExecutor = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).all(...bind(params)) as T[],
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).get(...bind(params)) as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => this.runNow(sql, params),
      exec: async (sql: string) => {
        this.connection.exec(sql);
      },
      getForUpdate: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).get(...bind(params)) as T | undefined,
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => fn(inside),
    };
    return inside;
  }

  private runNow(sql: string, params: readonly SqlValue[]): SqlRunResult {
    const statement = this.statement(sql);
    if (statement.reader) {
      // `UPDATE … RETURNING` is a reader in better-sqlite3's terms: count the rows it gave back.
      return { changes: statement.all(...bind(params)).length };
    }
    return { changes: statement.run(...bind(params)).changes };
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private async whenFree<T>(work: () => T): Promise<T> {
    if (!this.locked) return work();
    await this.acquire();
    try {
      return work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** better-sqlite3 takes no booleans and wants Buffers for bytes. */
function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p instanceof Uint8Array && !Buffer.isBuffer(p)) return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    return p;
  });
}
