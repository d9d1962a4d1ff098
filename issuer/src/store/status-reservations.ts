import type { SqlExecutor } from '@shomei/shared';

/** A status list's size and the bitmap of its reserved indexes (null: none reserved yet). */
export interface ReservationRow {
  id: string;
  size: number;
  reserved: Buffer | null;
}

/**
 * Every status list, in the order they were created, locked until the transaction ends
 * (status/allocator.ts reads and writes them in one, and may add the next list). Ids are decimal
 * numbers in creation order (list 1, 2, …): ordering by their length then text keeps that order on
 * both dialects.
 *
 * On PostgreSQL, row locks alone would not do: a second allocator waiting on a locked row reads the
 * table as it was when its statement began, misses the list the first one just added and would add
 * the same id again. A transaction-scoped advisory lock taken before the read makes it wait first
 * and then read afresh; the rows are locked as well, against reserveOn, which locks its list's row. SQLite's write lock, taken at BEGIN, already does this.
 */
export async function listReservationsForUpdate(tx: SqlExecutor): Promise<ReservationRow[]> {
  if (tx.dialect === 'sqlite') return tx.all<ReservationRow>('SELECT id, size, reserved FROM status_lists ORDER BY LENGTH(id), id');
  await tx.get("SELECT pg_advisory_xact_lock(hashtext('shomei.status_lists'))");
  // The rows too: the online endpoint's reserveOn locks only its list's row, not the advisory lock.
  return tx.all<ReservationRow>('SELECT id, size, reserved FROM status_lists ORDER BY LENGTH(id), id FOR UPDATE');
}

/** One list's reservations, locked until the transaction ends. */
export function findReservationsForUpdate(tx: SqlExecutor, listId: string): Promise<ReservationRow | undefined> {
  return tx.getForUpdate<ReservationRow>('SELECT id, size, reserved FROM status_lists WHERE id = ?', [listId]);
}

/** Writes a list's reserved bitmap; the list's version (which the signed token follows) does not move. */
export async function saveReservations(sql: SqlExecutor, listId: string, reserved: Uint8Array): Promise<void> {
  await sql.run('UPDATE status_lists SET reserved = ? WHERE id = ?', [Buffer.from(reserved), listId]);
}

/** Creates an empty status list (every entry VALID) with nothing reserved. */
export async function insertStatusList(
  sql: SqlExecutor,
  row: { id: string; bits: number; size: number; list: Uint8Array; updated_at: number },
): Promise<void> {
  await sql.run('INSERT INTO status_lists (id, bits, size, list, version, updated_at) VALUES (?, ?, ?, ?, 0, ?)', [
    row.id,
    row.bits,
    row.size,
    Buffer.from(row.list),
    row.updated_at,
  ]);
}
