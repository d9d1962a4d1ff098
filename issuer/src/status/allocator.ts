import { randomInt } from 'node:crypto';
import { ShomeiError, type SqlExecutor, StatusList } from '@shomei/shared';
import { IndexBitmap } from '../lib/bitmap.js';
import { findReservationsForUpdate, insertStatusList, listReservationsForUpdate, saveReservations } from '../store/status-reservations.js';

/** Lists created when the others fill up hold 2^20 entries (256 KiB raw, a few hundred bytes deflated while mostly 0). */
export const NEW_LIST_SIZE = 1 << 20;
/** A list takes new batches until this share is reserved: beyond it random probing wastes time and herd privacy thins. */
export const MAX_FILL = 0.75;
/** Random probes per index before falling back to a scan of the free ones (only when a list is nearly full). */
const RANDOM_PROBES = 32;
const BITS = 2;

/** A reserved status entry: list and index. */
export interface StatusSlot {
  listId: string;
  idx: number;
}

/**
 * The one place status list indexes are handed out, for the online endpoint and for batches.
 *
 * Contract: an index is handed out once per database, whichever allocator, connection, thread or
 * process or replica asks. Each call reads the list's `reserved` bitmap afresh, with the list's row
 * locked (`FOR UPDATE` on PostgreSQL; SQLite's write lock, taken at BEGIN), and writes the new
 * reservations back in the same transaction (the caller's when it passes one), so concurrent
 * allocators go one after the other and each sees what the others took. A reservation is kept even when its credential is never recorded (a refused
 * batch row, a crash before the chunk commits): that index is wasted, never reused. Within a list
 * the index is random, so that it says nothing about issuance order or volume. The credentials
 * table's UNIQUE (list, idx) stays as the last guard.
 */
export class StatusIndexAllocator {
  private readonly newListSize: number;

  constructor(
    private readonly sql: SqlExecutor,
    options: { newListSize?: number } = {},
  ) {
    this.newListSize = options.newListSize ?? NEW_LIST_SIZE;
  }

  /** `count` indexes on list `listId` (the online endpoint's fixed list); refuses when it has fewer free. */
  reserveOn(listId: string, count: number, tx: SqlExecutor = this.sql): Promise<number[]> {
    return tx.transaction(async (tx) => {
      const row = await findReservationsForUpdate(tx, listId);
      if (!row) throw new ShomeiError('internal', `status list ${listId} does not exist`);
      const reserved = new IndexBitmap(row.size, row.reserved);
      if (row.size - reserved.count() < count) throw new ShomeiError('internal', `status list ${listId} is full`);
      const picked = Array.from({ length: count }, () => pick(reserved));
      await saveReservations(tx, listId, reserved.bytes);
      return picked;
    });
  }

  /**
   * `count` slots for a batch: on the first list (in creation order) with less than MAX_FILL
   * reserved, then the next; a new list of `newListSize` is created when none has room.
   */
  reserveAnywhere(count: number, now: number, tx: SqlExecutor = this.sql): Promise<StatusSlot[]> {
    return tx.transaction(async (tx) => {
      const slots: StatusSlot[] = [];
      const lists = await listReservationsForUpdate(tx);
      for (const row of lists) {
        if (slots.length === count) break;
        const reserved = new IndexBitmap(row.size, row.reserved);
        const room = Math.ceil(row.size * MAX_FILL) - reserved.count();
        if (room <= 0) continue;
        const take = Math.min(room, count - slots.length);
        for (let i = 0; i < take; i++) slots.push({ listId: row.id, idx: pick(reserved) });
        await saveReservations(tx, row.id, reserved.bytes);
      }
      let nextId = Math.max(0, ...lists.map((l) => Number(l.id)).filter(Number.isInteger)) + 1;
      while (slots.length < count) {
        const id = String(nextId++);
        await insertStatusList(tx, {
          id,
          bits: BITS,
          size: this.newListSize,
          list: StatusList.empty(this.newListSize, BITS).bytes,
          updated_at: now,
        });
        const reserved = new IndexBitmap(this.newListSize);
        const take = Math.min(Math.ceil(this.newListSize * MAX_FILL), count - slots.length);
        for (let i = 0; i < take; i++) slots.push({ listId: id, idx: pick(reserved) });
        await saveReservations(tx, id, reserved.bytes);
      }
      return slots;
    });
  }
}

/** Reserves a random free index of `reserved` (which has one, checked by the caller). */
export function pick(reserved: IndexBitmap): number {
  for (let i = 0; i < RANDOM_PROBES; i++) {
    const idx = randomInt(0, reserved.size);
    if (!reserved.has(idx)) {
      reserved.set(idx);
      return idx;
    }
  }
  let skip = randomInt(0, reserved.size - reserved.count());
  for (let idx = 0; idx < reserved.size; idx++) {
    if (reserved.has(idx)) continue;
    if (skip === 0) {
      reserved.set(idx);
      return idx;
    }
    skip--;
  }
  throw new ShomeiError('internal', 'status list is full');
}
