import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface Migration {
  /** Unique, ordered name, e.g. `issuer-001-offers`. */
  id: string;
  sql: string;
  /** Steps SQL alone cannot say (a table rebuilt from its current definition); runs after `sql`, in the same transaction. */
  run?: (db: Db) => void;
}

export interface OpenDatabaseOptions {
  /** Told when the folder or a database file is readable by others than the owner (default: a process warning). */
  warn?: (message: string) => void;
}

/**
 * Opens (creating if needed) a SQLite file in WAL mode and applies migrations not yet applied.
 * Each service passes its own list; shared tables (keys, DIDs) come from `sharedMigrations`.
 * A new folder is made 0700 and a new file 0600 before SQLite opens it: SQLite gives the `-wal`
 * and `-shm` files the main file's mode, so all three stay the owner's. Existing ones are left
 * as the operator set them, with a warning when others may read them.
 */
export function openDatabase(file: string, migrations: readonly Migration[], options: OpenDatabaseOptions = {}): Db {
  if (file !== ':memory:') {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'ShomeiFileMode'));
    for (const loose of looseModes([dir, file, `${file}-wal`, `${file}-shm`])) warn(loose);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id));
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.run?.(db);
      record.run(m.id, new Date().toISOString());
    })();
  }
}

/** Paths among `paths` that exist and grant any permission to group or others, described. */
export function looseModes(paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if ((stat.mode & 0o077) !== 0) {
      const octal = (stat.mode & 0o777).toString(8).padStart(3, '0');
      found.push(`${path} has mode ${octal}: others than its owner have access (expected ${stat.isDirectory() ? '700' : '600'})`);
    }
  }
  return found;
}
