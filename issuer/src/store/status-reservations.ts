import type { Db } from '@shomei/shared';

/** A status list's size and the bitmap of its reserved indexes (null: none reserved yet). */
export interface ReservationRow {
  id: string;
  size: number;
  reserved: Buffer | null;
}

/** Every status list, in the order they were created. */
export function listReservations(db: Db): ReservationRow[] {
  return db.prepare('SELECT id, size, reserved FROM status_lists ORDER BY rowid').all() as ReservationRow[];
}

export function findReservations(db: Db, listId: string): ReservationRow | undefined {
  return db.prepare('SELECT id, size, reserved FROM status_lists WHERE id = ?').get(listId) as ReservationRow | undefined;
}

/** Writes a list's reserved bitmap; the list's version (which the signed token follows) does not move. */
export function saveReservations(db: Db, listId: string, reserved: Uint8Array): void {
  db.prepare('UPDATE status_lists SET reserved = ? WHERE id = ?').run(Buffer.from(reserved), listId);
}

/** Creates an empty status list (every entry VALID) with nothing reserved. */
export function insertStatusList(db: Db, row: { id: string; bits: number; size: number; list: Uint8Array; updated_at: number }): void {
  db.prepare('INSERT INTO status_lists (id, bits, size, list, version, updated_at) VALUES (?, ?, ?, ?, 0, ?)').run(
    row.id,
    row.bits,
    row.size,
    Buffer.from(row.list),
    row.updated_at,
  );
}

/** The (list, index) pairs credentials hold. */
export function credentialStatusIndexes(db: Db): Iterable<{ listId: string; idx: number }> {
  return db.prepare('SELECT status_list_id AS listId, status_idx AS idx FROM credentials').iterate() as Iterable<{
    listId: string;
    idx: number;
  }>;
}
