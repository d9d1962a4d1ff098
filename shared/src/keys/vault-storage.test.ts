import { describe, expect, it } from 'vitest';
import { migrateSql } from '../sql/migrate.js';
import { PostgresDatabase } from '../sql/postgres.js';
import { SqliteDatabase } from '../sql/sqlite.js';
import { openDatabase } from '../store/db.js';
import { createTestDatabase } from '../testing/postgres.js';
import { KeyVault } from './key-vault.js';
import { keyStoreMigrations, SqlVaultStorage, vaultPostgresMigrations } from './sql-vault-storage.js';
import type { StoredDid, StoredKey, VaultStorage } from './vault-storage.js';

const backends: { name: string; open: () => Promise<VaultStorage> }[] = [
  { name: 'SQLite', open: async () => new SqlVaultStorage(new SqliteDatabase(openDatabase(':memory:', keyStoreMigrations))) },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db = await PostgresDatabase.connect(await createTestDatabase(), { max: 3 });
      await migrateSql(db, vaultPostgresMigrations);
      return new SqlVaultStorage(db);
    },
  },
];

/** The contract every backend of the key vault's rows must meet. */
describe.each(backends)('vault storage contract: $name', ({ open }) => {
  const key = (kid: string): StoredKey => ({ kid, kms: 'local', type: 'Secp256r1', publicKeyHex: `04${kid}`, meta: '{"purpose":"p"}' });
  const did = (id: string, alias: string): StoredDid => ({
    did: id,
    alias,
    provider: 'did:web',
    controllerKeyId: 'k1',
    keys: '[]',
    services: '[]',
  });

  it('keeps settings, writing several at once; writes only the first set when absent', async () => {
    const s = await open();
    expect(await s.setting('kdf')).toBeUndefined();
    expect(await s.saveSettingsIfAbsent('kdf', { kdf: '{"N":1}', check: 'c1' })).toBe(true);
    expect(await s.saveSettingsIfAbsent('kdf', { kdf: '{"N":2}', check: 'c9' })).toBe(false);
    await s.saveSettings({ check: 'c2' });
    expect([await s.setting('kdf'), await s.setting('check')]).toEqual(['{"N":1}', 'c2']);
  });

  it('keeps public keys as written, replacing by kid', async () => {
    const s = await open();
    await s.putKey(key('k1'));
    await s.putKey({ ...key('k1'), meta: null });
    await s.putKey(key('k2'));
    expect(await s.key('k1')).toEqual({ ...key('k1'), meta: null });
    expect((await s.keys()).map((k) => k.kid).sort()).toEqual(['k1', 'k2']);
    expect(await s.deleteKey('k1')).toBe(true);
    expect(await s.deleteKey('k1')).toBe(false);
    expect(await s.key('k1')).toBeUndefined();
  });

  it('keeps sealed private keys, refusing a second with one alias, replacing only the ciphertext', async () => {
    const s = await open();
    await s.insertPrivateKey({ alias: 'k1', type: 'Secp256r1', sealed: 'v1.a' });
    await expect(s.insertPrivateKey({ alias: 'k1', type: 'Secp256r1', sealed: 'v1.b' })).rejects.toThrow();
    await s.replaceSealed('k1', 'v1.c');
    expect(await s.privateKey('k1')).toEqual({ alias: 'k1', type: 'Secp256r1', sealed: 'v1.c' });
    expect(await s.privateKeys()).toEqual([{ alias: 'k1', type: 'Secp256r1', sealed: 'v1.c' }]);
    expect(await s.deletePrivateKey('k1')).toBe(true);
    expect(await s.privateKey('k1')).toBeUndefined();
  });

  it('finds DIDs by DID or alias', async () => {
    const s = await open();
    await s.putDid(did('did:web:a', 'a'));
    await s.putDid(did('did:web:b', 'b'));
    expect((await s.did({ alias: 'b' }))?.did).toBe('did:web:b');
    expect(await s.did({ did: 'did:web:a' })).toEqual(did('did:web:a', 'a'));
    expect(await s.dids()).toHaveLength(2);
    expect(await s.deleteDid('did:web:a')).toBe(true);
    expect(await s.did({ did: 'did:web:a' })).toBeUndefined();
  });

  it('a transaction keeps all of its writes or none, also when nested', async () => {
    const s = await open();
    const done = await s.transaction((tx) =>
      tx.transaction(async (inner) => {
        await inner.putKey(key('k1'));
        return 'done';
      }),
    );
    expect(done).toBe('done');
    await expect(
      s.transaction(async (tx) => {
        await tx.putKey(key('k2'));
        await tx.saveSettings({ kdf: 'x' });
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect((await s.keys()).map((k) => k.kid)).toEqual(['k1']);
    expect(await s.setting('kdf')).toBeUndefined();
  });
});

describe('SqlVaultStorage on SQLite', () => {
  it('reads a file without the vault tables (not a vault yet) as holding no settings', async () => {
    expect(await new SqlVaultStorage(new SqliteDatabase(openDatabase(':memory:', []))).setting('kdf')).toBeUndefined();
  });
});

describe('one vault, two replicas starting at once on an empty PostgreSQL database', () => {
  it('both open it with one KDF salt, and exactly one first signing key is made, which both use', async () => {
    const url = await createTestDatabase();
    const [a, b] = await Promise.all([PostgresDatabase.connect(url, { max: 3 }), PostgresDatabase.connect(url, { max: 3 })]);
    try {
      await Promise.all([migrateSql(a, vaultPostgresMigrations), migrateSql(b, vaultPostgresMigrations)]);
      const [va, vb] = await Promise.all([KeyVault.open(a, 'one secret'), KeyVault.open(b, 'one secret')]);
      // Either can unseal what the other sealed: they derived one key.
      expect(vb.unseal(va.seal('x', 'aad'), 'aad')).toBe('x');
      const [ka, kb] = await Promise.all([va.keysOrFirstFor('request-signing'), vb.keysOrFirstFor('request-signing')]);
      expect(ka.map((k) => k.kid)).toEqual(kb.map((k) => k.kid));
      expect(ka).toHaveLength(1);
      expect(await new SqlVaultStorage(a).keys()).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
