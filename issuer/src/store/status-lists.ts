import type { Db, StatusBits } from '@shomei/shared';

export interface StatusListRow {
  id: string;
  bits: StatusBits;
  size: number;
  list: Buffer;
  version: number;
  updated_at: number;
}

export function findStatusList(db: Db, id: string): StatusListRow | undefined {
  return db.prepare('SELECT id, bits, size, list, version, updated_at FROM status_lists WHERE id = ?').get(id) as StatusListRow | undefined;
}

/** The list's version only: cheap enough to read on every request for the token. */
export function statusListVersion(db: Db, id: string): number | undefined {
  const row = db.prepare('SELECT version FROM status_lists WHERE id = ?').get(id) as { version: number } | undefined;
  return row?.version;
}

export function ensureStatusList(db: Db, row: Omit<StatusListRow, 'version'>): void {
  db.prepare('INSERT OR IGNORE INTO status_lists (id, bits, size, list, updated_at) VALUES (?, ?, ?, ?, ?)').run(
    row.id,
    row.bits,
    row.size,
    row.list,
    row.updated_at,
  );
}

export function saveStatusList(db: Db, id: string, list: Uint8Array, now: number): void {
  db.prepare('UPDATE status_lists SET list = ?, version = version + 1, updated_at = ? WHERE id = ?').run(Buffer.from(list), now, id);
}
