import { randomInt } from 'node:crypto';
import { type Db, StatusList } from '@shomei/shared';

/** Lists created for batches hold 2^20 entries (256 KiB raw, a few hundred bytes deflated while mostly 0). */
export const BATCH_LIST_SIZE = 1 << 20;
/** A list is used until this share is taken: beyond it random probing wastes time and herd privacy thins. */
const MAX_FILL = 0.75;

interface ListState {
  id: string;
  size: number;
  taken: Uint8Array; // one bit per index
  used: number;
}

/**
 * Hands out unique status list indexes for a batch, at random within a list (an index says
 * nothing about issuance order), from an in-memory bitmap of the taken ones loaded once. New lists
 * are created when the current ones fill up. The credentials table's UNIQUE (list, idx) is the
 * final guard; a conflicting writer (the online endpoint at the same moment) makes the batch
 * reload the bitmap and retry its chunk.
 */
export class BatchStatusAllocator {
  private lists: ListState[] = [];

  constructor(private readonly db: Db) {
    this.reload();
  }

  reload(): void {
    const rows = this.db.prepare('SELECT id, size FROM status_lists ORDER BY rowid').all() as { id: string; size: number }[];
    this.lists = rows.map((r) => ({ id: r.id, size: r.size, taken: new Uint8Array(Math.ceil(r.size / 8)), used: 0 }));
    const byId = new Map(this.lists.map((l) => [l.id, l]));
    const taken = this.db.prepare('SELECT status_list_id AS id, status_idx AS idx FROM credentials').iterate() as Iterable<{
      id: string;
      idx: number;
    }>;
    for (const { id, idx } of taken) {
      const list = byId.get(id);
      if (list) mark(list, idx);
    }
  }

  /** Allocates one index; creates a list (in the database) when none has room. */
  allocate(now: number): { listId: string; idx: number } {
    let list = this.lists.find((l) => l.used < l.size * MAX_FILL);
    if (!list) list = this.createList(now);
    for (;;) {
      const idx = randomInt(0, list.size);
      if (!isMarked(list, idx)) {
        mark(list, idx);
        return { listId: list.id, idx };
      }
    }
  }

  private createList(now: number): ListState {
    const numericIds = this.lists.map((l) => Number(l.id)).filter(Number.isInteger);
    const id = String(Math.max(0, ...numericIds) + 1);
    const empty = StatusList.empty(BATCH_LIST_SIZE, 2);
    this.db
      .prepare('INSERT INTO status_lists (id, bits, size, list, version, updated_at) VALUES (?, 2, ?, ?, 0, ?)')
      .run(id, BATCH_LIST_SIZE, Buffer.from(empty.bytes), now);
    const list = { id, size: BATCH_LIST_SIZE, taken: new Uint8Array(BATCH_LIST_SIZE / 8), used: 0 };
    this.lists.push(list);
    return list;
  }
}

function mark(list: ListState, idx: number): void {
  const byte = idx >> 3;
  const bit = 1 << (idx & 7);
  if (((list.taken[byte] as number) & bit) === 0) {
    list.taken[byte] = (list.taken[byte] as number) | bit;
    list.used++;
  }
}

function isMarked(list: ListState, idx: number): boolean {
  return ((list.taken[idx >> 3] as number) & (1 << (idx & 7))) !== 0;
}
