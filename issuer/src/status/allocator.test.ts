import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SqlDatabase, StatusList } from '@shomei/shared';
import { createTestDatabase } from '@shomei/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { openIssuerDatabase } from '../database.js';
import { ensureStatusList } from '../store/status-lists.js';
import { StatusIndexAllocator } from './allocator.js';

const open: SqlDatabase[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Two handles on one database, as two processes or replicas would have: two connections on one
 * SQLite file, or two connection pools on one PostgreSQL database.
 */
const backends = [
  {
    name: 'sqlite',
    target: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shomei-allocator-'));
      dirs.push(dir);
      return join(dir, 'issuer.db');
    },
  },
  { name: 'postgres', target: createTestDatabase },
];

describe.each(backends)('status index allocator on $name', ({ target }) => {
  async function twoHandles(): Promise<[SqlDatabase, SqlDatabase]> {
    const where = await target();
    const a = await openIssuerDatabase(where);
    open.push(a);
    const b = await openIssuerDatabase(where);
    open.push(b);
    await ensureStatusList(a, { id: '1', bits: 2, size: 64, list: Buffer.from(StatusList.empty(64, 2).bytes), updated_at: 0 });
    return [a, b];
  }

  const key = (s: { listId: string; idx: number }) => `${s.listId}/${s.idx}`;

  it('two allocators on one database never hand out the same index, online or batch, across new lists', async () => {
    const [a, b] = await twoHandles();
    const online = [new StatusIndexAllocator(a, { newListSize: 40 }), new StatusIndexAllocator(b, { newListSize: 40 })];
    const batch = [new StatusIndexAllocator(b, { newListSize: 40 }), new StatusIndexAllocator(a, { newListSize: 40 })];
    const handed: string[] = [];
    for (let round = 0; round < 12; round++) {
      const i = round % 2;
      handed.push(...(await (batch[i] as StatusIndexAllocator).reserveAnywhere(7, round)).map(key));
      handed.push(...(await (online[i] as StatusIndexAllocator).reserveOn('1', 2)).map((idx) => key({ listId: '1', idx })));
    }
    expect(handed).toHaveLength(12 * 9);
    expect(new Set(handed).size).toBe(handed.length);
    // Both handles created lists as the others filled, one id each, and none twice.
    const lists = await a.all<{ id: string; size: number }>('SELECT id, size FROM status_lists ORDER BY LENGTH(id), id');
    expect(lists.map((l) => l.id)).toEqual(['1', '2', '3']);
    expect(lists.slice(1).every((l) => Number(l.size) === 40)).toBe(true);
  });

  it('allocators asking at the same time on both handles queue on the list: every index once', async () => {
    // On SQLite, one handle: two connections in one process would block its event loop on each
    // other's write lock (two processes, the real case, each wait their turn: the test above).
    const [a, other] = await twoHandles();
    const b = other.dialect === 'sqlite' ? a : other;
    const allocators = [new StatusIndexAllocator(a, { newListSize: 40 }), new StatusIndexAllocator(b, { newListSize: 40 })];
    const asks = Array.from({ length: 32 }, (_, i) => {
      const allocator = allocators[i % 2] as StatusIndexAllocator;
      return i % 4 < 2
        ? allocator.reserveOn('1', 2).then((idxs) => idxs.map((idx) => key({ listId: '1', idx })))
        : allocator.reserveAnywhere(3, i).then((slots) => slots.map(key));
    });
    const handed = (await Promise.all(asks)).flat();
    expect(handed).toHaveLength(16 * 2 + 16 * 3);
    expect(new Set(handed).size).toBe(handed.length);
  });

  it('fills a fixed list to the last index, then refuses; batches stop at three quarters of a list', async () => {
    const [a] = await twoHandles();
    const allocator = new StatusIndexAllocator(a, { newListSize: 40 });
    const all = (await allocator.reserveOn('1', 60)).concat(await allocator.reserveOn('1', 4));
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    await expect(allocator.reserveOn('1', 1)).rejects.toThrow(/status list 1 is full/);
    const slots = await allocator.reserveAnywhere(31, 0);
    expect(slots.filter((s) => s.listId === '2')).toHaveLength(30);
    expect(slots.filter((s) => s.listId === '3')).toHaveLength(1);
  });

  it('keeps an index reserved that never got its credential: it is not handed out again', async () => {
    const [a, b] = await twoHandles();
    const first = await new StatusIndexAllocator(a).reserveOn('1', 48);
    const rest = await new StatusIndexAllocator(b).reserveOn('1', 16);
    expect(new Set([...first, ...rest]).size).toBe(64);
    await expect(new StatusIndexAllocator(b).reserveOn('1', 1)).rejects.toThrow(/is full/);
  });
});
