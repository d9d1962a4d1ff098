import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { keyStoreMigrations, SqliteVaultStorage } from './sqlite-stores.js';
import type { StoredDid, StoredKey, VaultStorage } from './vault-storage.js';

/** The contract every backend of the key vault's rows must meet (SQLite today). */
function vaultStorageContract(name: string, open: () => VaultStorage): void {
  describe(`vault storage contract: ${name}`, () => {
    const key = (kid: string): StoredKey => ({ kid, kms: 'local', type: 'Secp256r1', publicKeyHex: `04${kid}`, meta: '{"purpose":"p"}' });
    const did = (id: string, alias: string): StoredDid => ({
      did: id,
      alias,
      provider: 'did:web',
      controllerKeyId: 'k1',
      keys: '[]',
      services: '[]',
    });

    it('keeps settings, writing several at once', () => {
      const s = open();
      expect(s.setting('kdf')).toBeUndefined();
      s.saveSettings({ kdf: '{"N":1}', check: 'c1' });
      s.saveSettings({ check: 'c2' });
      expect([s.setting('kdf'), s.setting('check')]).toEqual(['{"N":1}', 'c2']);
    });

    it('keeps public keys as written, replacing by kid', () => {
      const s = open();
      s.putKey(key('k1'));
      s.putKey({ ...key('k1'), meta: null });
      s.putKey(key('k2'));
      expect(s.key('k1')).toEqual({ ...key('k1'), meta: null });
      expect(
        s
          .keys()
          .map((k) => k.kid)
          .sort(),
      ).toEqual(['k1', 'k2']);
      expect(s.deleteKey('k1')).toBe(true);
      expect(s.deleteKey('k1')).toBe(false);
      expect(s.key('k1')).toBeUndefined();
    });

    it('keeps sealed private keys, refusing a second with one alias, replacing only the ciphertext', () => {
      const s = open();
      s.insertPrivateKey({ alias: 'k1', type: 'Secp256r1', sealed: 'v1.a' });
      expect(() => s.insertPrivateKey({ alias: 'k1', type: 'Secp256r1', sealed: 'v1.b' })).toThrow();
      s.replaceSealed('k1', 'v1.c');
      expect(s.privateKey('k1')).toEqual({ alias: 'k1', type: 'Secp256r1', sealed: 'v1.c' });
      expect(s.privateKeys()).toEqual([{ alias: 'k1', type: 'Secp256r1', sealed: 'v1.c' }]);
      expect(s.deletePrivateKey('k1')).toBe(true);
      expect(s.privateKey('k1')).toBeUndefined();
    });

    it('finds DIDs by DID or alias', () => {
      const s = open();
      s.putDid(did('did:web:a', 'a'));
      s.putDid(did('did:web:b', 'b'));
      expect(s.did({ alias: 'b' })?.did).toBe('did:web:b');
      expect(s.did({ did: 'did:web:a' })).toEqual(did('did:web:a', 'a'));
      expect(s.dids()).toHaveLength(2);
      expect(s.deleteDid('did:web:a')).toBe(true);
      expect(s.did({ did: 'did:web:a' })).toBeUndefined();
    });

    it('a transaction keeps all of its writes or none, also when nested', () => {
      const s = open();
      const done = s.transaction(() =>
        s.transaction(() => {
          s.putKey(key('k1'));
          return 'done';
        }),
      );
      expect(done).toBe('done');
      expect(() =>
        s.transaction(() => {
          s.putKey(key('k2'));
          s.saveSettings({ kdf: 'x' });
          throw new Error('half-way');
        }),
      ).toThrow('half-way');
      expect(s.keys().map((k) => k.kid)).toEqual(['k1']);
      expect(s.setting('kdf')).toBeUndefined();
    });
  });
}

vaultStorageContract('SQLite', () => new SqliteVaultStorage(openDatabase(':memory:', keyStoreMigrations)));

describe('SqliteVaultStorage', () => {
  it('reads a file without the vault tables (not a vault yet) as holding no settings', () => {
    expect(new SqliteVaultStorage(openDatabase(':memory:', [])).setting('kdf')).toBeUndefined();
  });
});
