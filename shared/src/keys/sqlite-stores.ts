import type { Db, Migration } from '../store/db.js';
import type { SealedPrivateKey, StoredDid, StoredKey, VaultStorage } from './vault-storage.js';

/** The vault's tables in a service's (or the wallet's) SQLite file. */
export const keyStoreMigrations: Migration[] = [
  {
    id: 'shared-001-veramo-stores',
    sql: `
      CREATE TABLE veramo_keys (
        kid TEXT PRIMARY KEY, kms TEXT NOT NULL, type TEXT NOT NULL,
        public_key_hex TEXT NOT NULL, meta TEXT);
      CREATE TABLE veramo_private_keys (
        alias TEXT PRIMARY KEY, type TEXT NOT NULL, sealed TEXT NOT NULL);
      CREATE TABLE veramo_dids (
        did TEXT PRIMARY KEY, alias TEXT, provider TEXT, controller_key_id TEXT,
        keys TEXT NOT NULL, services TEXT NOT NULL);
      CREATE TABLE vault_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

interface KeyRow {
  kid: string;
  kms: string;
  type: string;
  public_key_hex: string;
  meta: string | null;
}

interface DidRow {
  did: string;
  alias: string | null;
  provider: string | null;
  controller_key_id: string | null;
  keys: string;
  services: string;
}

const toKey = (r: KeyRow): StoredKey => ({ kid: r.kid, kms: r.kms, type: r.type, publicKeyHex: r.public_key_hex, meta: r.meta });

const toDid = (r: DidRow): StoredDid => ({
  did: r.did,
  alias: r.alias,
  provider: r.provider,
  controllerKeyId: r.controller_key_id,
  keys: r.keys,
  services: r.services,
});

/**
 * The vault's rows on better-sqlite3: the only code that names the vault's tables. Statements are
 * prepared per call because a wallet is opened (and its passphrase checked) before its migrations
 * run, so the tables may not exist yet when this is made.
 */
export class SqliteVaultStorage implements VaultStorage {
  constructor(private readonly db: Db) {}

  setting(name: string): string | undefined {
    // A file that is not (yet) a vault has no settings table: that reads as "no setting".
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vault_settings'").get();
    if (!exists) return undefined;
    return (this.db.prepare('SELECT value FROM vault_settings WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  saveSettings(values: Readonly<Record<string, string>>): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO vault_settings (name, value) VALUES (?, ?)');
    this.transaction(() => {
      for (const [name, value] of Object.entries(values)) put.run(name, value);
    });
  }

  putKey(k: StoredKey): void {
    this.db
      .prepare('INSERT OR REPLACE INTO veramo_keys (kid, kms, type, public_key_hex, meta) VALUES (?, ?, ?, ?, ?)')
      .run(k.kid, k.kms, k.type, k.publicKeyHex, k.meta);
  }

  key(kid: string): StoredKey | undefined {
    const row = this.db.prepare('SELECT * FROM veramo_keys WHERE kid = ?').get(kid) as KeyRow | undefined;
    return row && toKey(row);
  }

  deleteKey(kid: string): boolean {
    return this.db.prepare('DELETE FROM veramo_keys WHERE kid = ?').run(kid).changes > 0;
  }

  keys(): StoredKey[] {
    return (this.db.prepare('SELECT * FROM veramo_keys').all() as KeyRow[]).map(toKey);
  }

  insertPrivateKey(k: SealedPrivateKey): void {
    this.db.prepare('INSERT INTO veramo_private_keys (alias, type, sealed) VALUES (?, ?, ?)').run(k.alias, k.type, k.sealed);
  }

  privateKey(alias: string): SealedPrivateKey | undefined {
    return this.db.prepare('SELECT alias, type, sealed FROM veramo_private_keys WHERE alias = ?').get(alias) as
      | SealedPrivateKey
      | undefined;
  }

  replaceSealed(alias: string, sealed: string): void {
    this.db.prepare('UPDATE veramo_private_keys SET sealed = ? WHERE alias = ?').run(sealed, alias);
  }

  deletePrivateKey(alias: string): boolean {
    return this.db.prepare('DELETE FROM veramo_private_keys WHERE alias = ?').run(alias).changes > 0;
  }

  privateKeys(): SealedPrivateKey[] {
    return this.db.prepare('SELECT alias, type, sealed FROM veramo_private_keys').all() as SealedPrivateKey[];
  }

  putDid(d: StoredDid): void {
    this.db
      .prepare('INSERT OR REPLACE INTO veramo_dids (did, alias, provider, controller_key_id, keys, services) VALUES (?, ?, ?, ?, ?, ?)')
      .run(d.did, d.alias, d.provider, d.controllerKeyId, d.keys, d.services);
  }

  did(by: { did: string } | { alias: string }): StoredDid | undefined {
    const row = (
      'did' in by
        ? this.db.prepare('SELECT * FROM veramo_dids WHERE did = ?').get(by.did)
        : this.db.prepare('SELECT * FROM veramo_dids WHERE alias = ?').get(by.alias)
    ) as DidRow | undefined;
    return row && toDid(row);
  }

  deleteDid(did: string): boolean {
    return this.db.prepare('DELETE FROM veramo_dids WHERE did = ?').run(did).changes > 0;
  }

  dids(): StoredDid[] {
    return (this.db.prepare('SELECT * FROM veramo_dids').all() as DidRow[]).map(toDid);
  }

  transaction<T>(fn: () => T): T {
    // better-sqlite3 turns a transaction opened inside another into a savepoint.
    return this.db.transaction(fn)();
  }
}
