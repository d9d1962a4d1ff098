import pg from 'pg';
import type { SqlDatabase, SqlExecutor, SqlRunResult, SqlValue } from './types.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
}

/** int8 (counts, millisecond times) and numeric as JS numbers: every value Shomei stores fits in 2^53. */
const NUMBER_TYPES = new Set([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMBER_TYPES.has(oid) && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The PostgreSQL adapter of the database port (node-postgres: the reference driver, a plain
 * text-plus-parameters API that matches the port one to one, and a pool). Statements are written
 * with `?` and numbered here. Transactions take one pooled connection for their whole life.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  /** Connects (and checks the connection) to `url`, a `postgres://` or `postgresql://` URL. */
  static async connect(url: string, options: PostgresOptions = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
    // An idle client that loses its server must not crash the process: the next query reconnects.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      client.release();
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
    return new PostgresDatabase(pool);
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.pool.query(numbered(sql), bind(params))).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlRunResult> {
    return { changes: (await this.pool.query(numbered(sql), bind(params))).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async getForUpdate<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.get<T>(`${sql} FOR UPDATE`, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(clientExecutor(client));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function clientExecutor(client: pg.PoolClient): SqlExecutor {
  const all = async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query(numbered(sql), bind(params))).rows as T[];
  const executor: SqlExecutor = {
    dialect: 'postgres',
    all,
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await all<T>(sql, params))[0],
    run: async (sql: string, params: readonly SqlValue[] = []) => ({
      changes: (await client.query(numbered(sql), bind(params))).rowCount ?? 0,
    }),
    exec: async (sql: string) => {
      await client.query(sql);
    },
    getForUpdate: async <T>(sql: string, params: readonly SqlValue[] = []) => (await all<T>(`${sql} FOR UPDATE`, params))[0],
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => fn(executor),
  };
  return executor;
}

const numberedCache = new Map<string, string>();

/** `?` → `$1, $2, …`, leaving question marks inside quoted strings and identifiers alone. */
export function numbered(sql: string): string {
  const cached = numberedCache.get(sql);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  if (numberedCache.size < 2000) numberedCache.set(sql, out);
  return out;
}

/** Booleans are stored as 0/1 integers in both dialects. */
function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
