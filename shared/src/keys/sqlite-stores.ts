import { randomUUID } from 'node:crypto';
import type { IIdentifier, IKey, ManagedKeyInfo } from '@veramo/core-types';
import { AbstractDIDStore } from '@veramo/did-manager';
import { AbstractKeyStore, AbstractPrivateKeyStore, type ImportablePrivateKey, type ManagedPrivateKey } from '@veramo/key-manager';
import { ShomeiError } from '../errors.js';
import type { Db, Migration } from '../store/db.js';
import type { SecretBox } from './secret-box.js';

/** Veramo's key, private-key and DID stores on better-sqlite3 (no TypeORM). */
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

function rowToKey(r: KeyRow): IKey {
  return {
    kid: r.kid,
    kms: r.kms,
    type: r.type as IKey['type'],
    publicKeyHex: r.public_key_hex,
    meta: r.meta ? JSON.parse(r.meta) : undefined,
  };
}

export class SqliteKeyStore extends AbstractKeyStore {
  constructor(private readonly db: Db) {
    super();
  }

  async importKey(args: Partial<IKey>): Promise<boolean> {
    if (!args.kid || !args.kms || !args.type || !args.publicKeyHex) {
      throw new ShomeiError('invalid_request', 'key needs kid, kms, type and publicKeyHex');
    }
    this.db
      .prepare('INSERT OR REPLACE INTO veramo_keys (kid, kms, type, public_key_hex, meta) VALUES (?, ?, ?, ?, ?)')
      .run(args.kid, args.kms, args.type, args.publicKeyHex, args.meta ? JSON.stringify(args.meta) : null);
    return true;
  }

  async getKey({ kid }: { kid: string }): Promise<IKey> {
    const row = this.db.prepare('SELECT * FROM veramo_keys WHERE kid = ?').get(kid) as KeyRow | undefined;
    if (!row) throw new ShomeiError('not_found', 'key not found');
    return rowToKey(row);
  }

  async deleteKey({ kid }: { kid: string }): Promise<boolean> {
    return this.db.prepare('DELETE FROM veramo_keys WHERE kid = ?').run(kid).changes > 0;
  }

  async listKeys(): Promise<ManagedKeyInfo[]> {
    return (this.db.prepare('SELECT * FROM veramo_keys').all() as KeyRow[]).map(rowToKey);
  }
}

/** Private keys are sealed with AES-256-GCM; the alias is the associated data. */
export class EncryptedSqlitePrivateKeyStore extends AbstractPrivateKeyStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    super();
  }

  async importKey(args: ImportablePrivateKey): Promise<ManagedPrivateKey> {
    const alias = args.alias ?? randomUUID();
    const exists = this.db.prepare('SELECT 1 FROM veramo_private_keys WHERE alias = ?').get(alias);
    if (exists) throw new ShomeiError('conflict', 'a private key with this alias exists');
    this.db
      .prepare('INSERT INTO veramo_private_keys (alias, type, sealed) VALUES (?, ?, ?)')
      .run(alias, args.type, this.box.encrypt(args.privateKeyHex, alias));
    return { alias, type: args.type, privateKeyHex: args.privateKeyHex };
  }

  async getKey({ alias }: { alias: string }): Promise<ManagedPrivateKey> {
    const row = this.db.prepare('SELECT * FROM veramo_private_keys WHERE alias = ?').get(alias) as
      | { alias: string; type: string; sealed: string }
      | undefined;
    if (!row) throw new ShomeiError('not_found', 'private key not found');
    return { alias, type: row.type as ManagedPrivateKey['type'], privateKeyHex: this.box.decrypt(row.sealed, alias) };
  }

  async deleteKey({ alias }: { alias: string }): Promise<boolean> {
    return this.db.prepare('DELETE FROM veramo_private_keys WHERE alias = ?').run(alias).changes > 0;
  }

  async listKeys(): Promise<ManagedPrivateKey[]> {
    const rows = this.db.prepare('SELECT alias FROM veramo_private_keys').all() as { alias: string }[];
    return Promise.all(rows.map((r) => this.getKey({ alias: r.alias })));
  }
}

interface DidRow {
  did: string;
  alias: string | null;
  provider: string | null;
  controller_key_id: string | null;
  keys: string;
  services: string;
}

function rowToDid(r: DidRow): IIdentifier {
  return {
    did: r.did,
    alias: r.alias ?? undefined,
    provider: r.provider ?? '',
    controllerKeyId: r.controller_key_id ?? undefined,
    keys: JSON.parse(r.keys),
    services: JSON.parse(r.services),
  };
}

export class SqliteDidStore extends AbstractDIDStore {
  constructor(private readonly db: Db) {
    super();
  }

  async importDID(args: IIdentifier): Promise<boolean> {
    // Keys are kept without private material: the private-key store holds that, sealed.
    const keys = args.keys.map(({ privateKeyHex: _p, ...k }) => k);
    this.db
      .prepare('INSERT OR REPLACE INTO veramo_dids (did, alias, provider, controller_key_id, keys, services) VALUES (?, ?, ?, ?, ?, ?)')
      .run(args.did, args.alias ?? null, args.provider, args.controllerKeyId ?? null, JSON.stringify(keys), JSON.stringify(args.services));
    return true;
  }

  async getDID(args: { did: string } | { alias: string }): Promise<IIdentifier> {
    const row = (
      'did' in args
        ? this.db.prepare('SELECT * FROM veramo_dids WHERE did = ?').get(args.did)
        : this.db.prepare('SELECT * FROM veramo_dids WHERE alias = ?').get(args.alias)
    ) as DidRow | undefined;
    if (!row) throw new ShomeiError('not_found', 'DID not found');
    return rowToDid(row);
  }

  async deleteDID({ did }: { did: string }): Promise<boolean> {
    return this.db.prepare('DELETE FROM veramo_dids WHERE did = ?').run(did).changes > 0;
  }

  async listDIDs(args: { alias?: string; provider?: string }): Promise<IIdentifier[]> {
    const rows = this.db.prepare('SELECT * FROM veramo_dids').all() as DidRow[];
    return rows
      .filter((r) => (args.alias === undefined || r.alias === args.alias) && (args.provider === undefined || r.provider === args.provider))
      .map(rowToDid);
  }
}
