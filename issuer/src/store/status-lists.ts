import type { SqlExecutor, StatusBits } from '@shomei/shared';

export interface StatusListRow {
  id: string;
  bits: StatusBits;
  size: number;
  list: Buffer;
  version: number;
  updated_at: number;
}

export function findStatusList(sql: SqlExecutor, id: string): Promise<StatusListRow | undefined> {
  return sql.get<StatusListRow>('SELECT id, bits, size, list, version, updated_at FROM status_lists WHERE id = ?', [id]);
}

/** The same row, locked until the transaction ends: for a read-modify-write of its bitmap. */
export function findStatusListForUpdate(tx: SqlExecutor, id: string): Promise<StatusListRow | undefined> {
  return tx.getForUpdate<StatusListRow>('SELECT id, bits, size, list, version, updated_at FROM status_lists WHERE id = ?', [id]);
}

/** The list's version only: cheap enough to read on every request for the token. */
export async function statusListVersion(sql: SqlExecutor, id: string): Promise<number | undefined> {
  const row = await sql.get<{ version: number }>('SELECT version FROM status_lists WHERE id = ?', [id]);
  return row?.version;
}

/** Creates the list unless it exists (two replicas starting at once both call this). */
export async function ensureStatusList(sql: SqlExecutor, row: Omit<StatusListRow, 'version'>): Promise<void> {
  await sql.run('INSERT INTO status_lists (id, bits, size, list, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
    row.id,
    row.bits,
    row.size,
    row.list,
    row.updated_at,
  ]);
}

export async function saveStatusList(sql: SqlExecutor, id: string, list: Uint8Array, now: number): Promise<void> {
  await sql.run('UPDATE status_lists SET list = ?, version = version + 1, updated_at = ? WHERE id = ?', [Buffer.from(list), now, id]);
}
