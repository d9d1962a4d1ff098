import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase, StatusList } from '@shomei/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { issuerMigrations } from '../store/migrations.js';
import { ensureStatusList } from '../store/status-lists.js';
import { StatusIndexAllocator } from './allocator.js';

let dir: string | undefined;
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Two connections on one database file, as two processes (a serving issuer, a batch) would have. */
function twoConnections(): [Db, Db] {
  dir = mkdtempSync(join(tmpdir(), 'shomei-allocator-'));
  const file = join(dir, 'issuer.db');
  const a = openDatabase(file, issuerMigrations);
  const b = openDatabase(file, issuerMigrations);
  open.push(a, b);
  ensureStatusList(a, { id: '1', bits: 2, size: 64, list: Buffer.from(StatusList.empty(64, 2).bytes), updated_at: 0 });
  return [a, b];
}

const key = (s: { listId: string; idx: number }) => `${s.listId}/${s.idx}`;

describe('status index allocator', () => {
  it('two allocators on one database file never hand out the same index, online or batch, across new lists', () => {
    const [a, b] = twoConnections();
    const online = [new StatusIndexAllocator(a, { newListSize: 40 }), new StatusIndexAllocator(b, { newListSize: 40 })];
    const batch = [new StatusIndexAllocator(b, { newListSize: 40 }), new StatusIndexAllocator(a, { newListSize: 40 })];
    const handed: string[] = [];
    for (let round = 0; round < 12; round++) {
      const i = round % 2;
      handed.push(...(batch[i] as StatusIndexAllocator).reserveAnywhere(7, round).map(key));
      handed.push(...(online[i] as StatusIndexAllocator).reserveOn('1', 2).map((idx) => key({ listId: '1', idx })));
    }
    expect(handed).toHaveLength(12 * 9);
    expect(new Set(handed).size).toBe(handed.length);
    // Both connections created lists as the others filled, one id each, and none twice.
    const lists = a.prepare('SELECT id, size FROM status_lists ORDER BY rowid').all() as { id: string; size: number }[];
    expect(lists.map((l) => l.id)).toEqual(['1', '2', '3']);
    expect(lists.slice(1).every((l) => l.size === 40)).toBe(true);
  });

  it('fills a fixed list to the last index, then refuses; batches stop at three quarters of a list', () => {
    const [a] = twoConnections();
    const allocator = new StatusIndexAllocator(a, { newListSize: 40 });
    const all = allocator.reserveOn('1', 60).concat(allocator.reserveOn('1', 4));
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(() => allocator.reserveOn('1', 1)).toThrow(/status list 1 is full/);
    const slots = allocator.reserveAnywhere(31, 0);
    expect(slots.filter((s) => s.listId === '2')).toHaveLength(30);
    expect(slots.filter((s) => s.listId === '3')).toHaveLength(1);
  });

  it('keeps an index reserved that never got its credential: it is not handed out again', () => {
    const [a, b] = twoConnections();
    const first = new StatusIndexAllocator(a).reserveOn('1', 48);
    const rest = new StatusIndexAllocator(b).reserveOn('1', 16);
    expect(new Set([...first, ...rest]).size).toBe(64);
    expect(() => new StatusIndexAllocator(b).reserveOn('1', 1)).toThrow(/is full/);
  });
});
