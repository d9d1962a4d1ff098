import type { SqlExecutor, SqlMigration } from '../sql/types.js';
import type { Migration } from '../store/db.js';
import type { SealedPrivateKey, StoredDid, StoredKey, VaultStorage } from './vault-storage.js';

const VAULT_TABLES = `
  CREATE TABLE veramo_keys (
    kid TEXT PRIMARY KEY, kms TEXT NOT NULL, type TEXT NOT NULL,
    public_key_hex TEXT NOT NULL, meta TEXT);
  CREATE TABLE veramo_private_keys (
    alias TEXT PRIMARY KEY, type TEXT NOT NULL, sealed TEXT NOT NULL);
  CREATE TABLE veramo_dids (
    did TEXT PRIMARY KEY, alias TEXT, provider TEXT, controller_key_id TEXT,
    keys TEXT NOT NULL, services TEXT NOT NULL);
  CREATE TABLE vault_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The vault's tables in a service's (or the wallet's) SQLite file. */
export const keyStoreMigrations: Migration[] = [{ id: 'shared-001-veramo-stores', sql: VAULT_TABLES }];

/** The same tables on PostgreSQL (the DDL is portable: text columns only). */
export const vaultPostgresMigrations: SqlMigration[] = [{ id: 'shared-001-veramo-stores', sql: VAULT_TABLES }];

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

const PUT_SETTING = 'INSERT INTO vault_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value';

/**
 * The vault's rows over the database port (SQLite or PostgreSQL, one SQL text for both): the only
 * code that names the vault's tables.
 */
export class SqlVaultStorage implements VaultStorage {
  constructor(private readonly sql: SqlExecutor) {}

  async setting(name: string): Promise<string | undefined> {
    // A wallet file is opened (and its passphrase checked) before its migrations run: a file that is
    // not (yet) a vault has no settings table, which reads as "no setting".
    if (!(await this.settingsTableExists())) return undefined;
    return (await this.sql.get<{ value: string }>('SELECT value FROM vault_settings WHERE name = ?', [name]))?.value;
  }

  async saveSettings(values: Readonly<Record<string, string>>): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const [name, value] of Object.entries(values)) await tx.run(PUT_SETTING, [name, value]);
    });
  }

  async saveSettingsIfAbsent(first: string, values: Readonly<Record<string, string>>): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const claimed = await tx.run('INSERT INTO vault_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
        first,
        values[first] ?? '',
      ]);
      if (claimed.changes === 0) return false;
      for (const [name, value] of Object.entries(values)) if (name !== first) await tx.run(PUT_SETTING, [name, value]);
      return true;
    });
  }

  async putKey(k: StoredKey): Promise<void> {
    await this.sql.run(
      `INSERT INTO veramo_keys (kid, kms, type, public_key_hex, meta) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kid) DO UPDATE SET kms = excluded.kms, type = excluded.type, public_key_hex = excluded.public_key_hex, meta = excluded.meta`,
      [k.kid, k.kms, k.type, k.publicKeyHex, k.meta],
    );
  }

  async key(kid: string): Promise<StoredKey | undefined> {
    const row = await this.sql.get<KeyRow>('SELECT * FROM veramo_keys WHERE kid = ?', [kid]);
    return row && toKey(row);
  }

  async deleteKey(kid: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM veramo_keys WHERE kid = ?', [kid])).changes > 0;
  }

  async keys(): Promise<StoredKey[]> {
    return (await this.sql.all<KeyRow>('SELECT * FROM veramo_keys ORDER BY kid')).map(toKey);
  }

  async insertPrivateKey(k: SealedPrivateKey): Promise<void> {
    await this.sql.run('INSERT INTO veramo_private_keys (alias, type, sealed) VALUES (?, ?, ?)', [k.alias, k.type, k.sealed]);
  }

  async privateKey(alias: string): Promise<SealedPrivateKey | undefined> {
    return this.sql.get<SealedPrivateKey>('SELECT alias, type, sealed FROM veramo_private_keys WHERE alias = ?', [alias]);
  }

  async replaceSealed(alias: string, sealed: string): Promise<void> {
    await this.sql.run('UPDATE veramo_private_keys SET sealed = ? WHERE alias = ?', [sealed, alias]);
  }

  async deletePrivateKey(alias: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM veramo_private_keys WHERE alias = ?', [alias])).changes > 0;
  }

  async privateKeys(): Promise<SealedPrivateKey[]> {
    return this.sql.all<SealedPrivateKey>('SELECT alias, type, sealed FROM veramo_private_keys ORDER BY alias');
  }

  async putDid(d: StoredDid): Promise<void> {
    await this.sql.run(
      `INSERT INTO veramo_dids (did, alias, provider, controller_key_id, keys, services) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (did) DO UPDATE SET alias = excluded.alias, provider = excluded.provider,
         controller_key_id = excluded.controller_key_id, keys = excluded.keys, services = excluded.services`,
      [d.did, d.alias, d.provider, d.controllerKeyId, d.keys, d.services],
    );
  }

  async did(by: { did: string } | { alias: string }): Promise<StoredDid | undefined> {
    const row =
      'did' in by
        ? await this.sql.get<DidRow>('SELECT * FROM veramo_dids WHERE did = ?', [by.did])
        : await this.sql.get<DidRow>('SELECT * FROM veramo_dids WHERE alias = ?', [by.alias]);
    return row && toDid(row);
  }

  async deleteDid(did: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM veramo_dids WHERE did = ?', [did])).changes > 0;
  }

  async dids(): Promise<StoredDid[]> {
    return (await this.sql.all<DidRow>('SELECT * FROM veramo_dids ORDER BY did')).map(toDid);
  }

  transaction<T>(fn: (tx: VaultStorage) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => fn(new SqlVaultStorage(tx)));
  }

  /** The one dialect branch: where each database lists its tables. */
  private async settingsTableExists(): Promise<boolean> {
    const row =
      this.sql.dialect === 'sqlite'
        ? await this.sql.get("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'vault_settings'")
        : await this.sql.get(
            "SELECT 1 AS found FROM information_schema.tables WHERE table_name = 'vault_settings' AND table_schema = current_schema()",
          );
    return row !== undefined;
  }
}
