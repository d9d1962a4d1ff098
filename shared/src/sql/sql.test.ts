import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { createTestDatabase } from '../testing/postgres.js';
import { acquireLease, leaseMigration, releaseLease } from './leases.js';
import { migrateSql } from './migrate.js';
import { numbered, PostgresDatabase } from './postgres.js';
import { SqliteDatabase } from './sqlite.js';
import type { SqlDatabase } from './types.js';

/**
 * Two handles on one database: two pools for PostgreSQL (what two replicas see); for SQLite, one
 * connection, as a process keeps one per file (a second connection in the same process would block
 * the event loop in SQLite's busy wait while the first sits in an open transaction).
 */
interface Backend {
  name: string;
  open(): Promise<SqlDatabase>;
}

const dir = mkdtempSync(join(tmpdir(), 'shomei-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let pgUrl = '';
let sqlite: SqliteDatabase | undefined;
const backends: Backend[] = [
  { name: 'sqlite', open: async () => (sqlite ??= new SqliteDatabase(openDatabase(join(dir, 'port.db'), []))) },
  { name: 'postgres', open: () => PostgresDatabase.connect(pgUrl) },
];

beforeAll(async () => {
  pgUrl = await createTestDatabase();
});

describe.each(backends)('the database port on $name', (backend) => {
  let a: SqlDatabase;
  let b: SqlDatabase;
  beforeAll(async () => {
    a = await backend.open();
    b = await backend.open();
    await migrateSql(a, [
      leaseMigration,
      { id: 'test-001-items', sql: 'CREATE TABLE items (id TEXT PRIMARY KEY, n BIGINT NOT NULL, body BYTEA, note TEXT, claimed_by TEXT)' },
    ]);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('round-trips millisecond times, bytes, null and question marks in text', async () => {
    const ms = Date.UTC(2026, 11, 3, 12, 0, 0, 123);
    await a.run('INSERT INTO items (id, n, body, note) VALUES (?, ?, ?, ?)', ['rt', ms, Buffer.from([0, 255, 7]), 'why? because']);
    const row = await b.get<{ n: number; body: Buffer; note: string; claimed_by: string | null }>(
      "SELECT n, body, note, claimed_by FROM items WHERE id = ? AND note <> '?'",
      ['rt'],
    );
    expect(row).toEqual({ n: ms, body: Buffer.from([0, 255, 7]), note: 'why? because', claimed_by: null });
    expect(typeof row?.n).toBe('number');
    expect((await a.get<{ c: number }>('SELECT COUNT(*) AS c FROM items'))?.c).toBe(1);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await a.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['kept', 1]);
      await tx.transaction((inner) => inner.run('INSERT INTO items (id, n) VALUES (?, ?)', ['kept-inner', 2]));
    });
    await expect(
      a.transaction(async (tx) => {
        await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['lost', 1]);
        throw new Error('midway');
      }),
    ).rejects.toThrow('midway');
    const ids = (await b.all<{ id: string }>("SELECT id FROM items WHERE id IN ('kept', 'kept-inner', 'lost') ORDER BY id")).map(
      (r) => r.id,
    );
    expect(ids).toEqual(['kept', 'kept-inner']);
  });

  it('lets exactly one of many parallel claims win, across two connections', async () => {
    await a.run('INSERT INTO items (id, n) VALUES (?, ?)', ['prize', 0]);
    const attempts = Array.from({ length: 60 }, (_, i) =>
      (i % 2 ? a : b).run('UPDATE items SET claimed_by = ? WHERE id = ? AND claimed_by IS NULL', [`c${i}`, 'prize']),
    );
    const won = (await Promise.all(attempts)).filter((r) => r.changes === 1);
    expect(won).toHaveLength(1);
  });

  it('serialises read-modify-write under a row lock (no lost update)', async () => {
    await a.run('INSERT INTO items (id, n) VALUES (?, ?)', ['counter', 0]);
    const increments = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? a : b).transaction(async (tx) => {
        const row = await tx.getForUpdate<{ n: number }>('SELECT n FROM items WHERE id = ?', ['counter']);
        await new Promise((r) => setTimeout(r, 1));
        await tx.run('UPDATE items SET n = ? WHERE id = ?', [(row?.n ?? 0) + 1, 'counter']);
      }),
    );
    await Promise.all(increments);
    expect((await a.get<{ n: number }>('SELECT n FROM items WHERE id = ?', ['counter']))?.n).toBe(40);
  });

  it('gives a lease to one holder at a time, and to another once it runs out or is released', async () => {
    const now = 1_000_000;
    const results = await Promise.all([acquireLease(a, 'job', 'replica-a', now, 1000), acquireLease(b, 'job', 'replica-b', now, 1000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'replica-a' : 'replica-b';
    const loser = results[0] ? 'replica-b' : 'replica-a';
    expect(await acquireLease(a, 'job', winner, now + 500, 1000)).toBe(true);
    expect(await acquireLease(b, 'job', loser, now + 1400, 1000)).toBe(false);
    expect(await acquireLease(b, 'job', loser, now + 1500, 1000)).toBe(true);
    await releaseLease(a, 'job', loser);
    expect(await acquireLease(a, 'job', winner, now + 1600, 1000)).toBe(true);
  });

  it('applies migrations once when two replicas start at once', async () => {
    const list = [
      { id: 'race-001', sql: 'CREATE TABLE race_one (id TEXT PRIMARY KEY)' },
      { id: 'race-002', sql: 'CREATE TABLE race_two (id TEXT PRIMARY KEY)' },
    ];
    const [first, second] = await Promise.all([migrateSql(a, list), migrateSql(b, list)]);
    expect([...first, ...second].sort()).toEqual(['race-001', 'race-002']);
    expect(await migrateSql(a, list)).toEqual([]);
  });
});

describe('the SQLite adapter', () => {
  it('holds other callers back while an async transaction is open on the connection', async () => {
    const db = new SqliteDatabase(openDatabase(':memory:', []));
    await db.exec('CREATE TABLE t (v INTEGER)');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO t (v) VALUES (1)');
      await gate;
      throw new Error('rolled back');
    });
    const outside = db.run('INSERT INTO t (v) VALUES (2)');
    release();
    await expect(tx).rejects.toThrow('rolled back');
    await outside;
    expect(await db.all('SELECT v FROM t')).toEqual([{ v: 2 }]);
    await db.close();
  });
});

describe('placeholders for PostgreSQL', () => {
  it('numbers ? outside quotes only', () => {
    expect(numbered(`SELECT '?', "a?b" FROM t WHERE x = ? AND y = ?`)).toBe(`SELECT '?', "a?b" FROM t WHERE x = $1 AND y = $2`);
  });
});
