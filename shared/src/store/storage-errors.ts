/**
 * Recognises a storage failure (disk full, read-only database or file system, I/O error) among the
 * errors better-sqlite3 throws, so that services answer it clearly (503 `storage_unavailable`, a log
 * line naming the condition) instead of as an anonymous internal error. SQLite rolls the failed
 * transaction back: nothing is half-written.
 */
export type StorageFailureKind = 'disk_full' | 'read_only' | 'io_error' | 'cannot_open';

export interface StorageFailure {
  kind: StorageFailureKind;
  /** The SQLite result code name, e.g. SQLITE_FULL (never the message, which may quote SQL or data). */
  sqliteCode: string;
}

export function storageFailure(err: unknown): StorageFailure | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  if (code === 'SQLITE_FULL') return { kind: 'disk_full', sqliteCode: code };
  if (code.startsWith('SQLITE_READONLY')) return { kind: 'read_only', sqliteCode: code };
  if (code.startsWith('SQLITE_IOERR')) return { kind: 'io_error', sqliteCode: code };
  if (code.startsWith('SQLITE_CANTOPEN')) return { kind: 'cannot_open', sqliteCode: code };
  return undefined;
}

const DESCRIPTIONS: Record<StorageFailureKind, string> = {
  disk_full: 'the disk is full',
  read_only: 'the database is read-only',
  io_error: 'the disk reported an I/O error',
  cannot_open: 'the database file cannot be opened',
};

/** The operator's log line for a storage failure. */
export function describeStorageFailure(f: StorageFailure): string {
  return `storage failure (${f.sqliteCode}): ${DESCRIPTIONS[f.kind]}; the operation was rolled back`;
}
