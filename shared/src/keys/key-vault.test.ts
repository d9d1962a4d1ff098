import type { KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJws, signJws, verifyJwsSignature } from '../crypto/jws.js';
import { publicKeyFromJwk } from '../crypto/keys.js';
import { isShomeiError } from '../errors.js';
import { openDatabase } from '../store/db.js';
import { KeyVault } from './key-vault.js';
import { keyStoreMigrations } from './sql-vault-storage.js';

describe('KeyVault (Veramo on better-sqlite3)', () => {
  it('creates a P-256 key, seals it at rest, reopens with the secret and signs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vault-')), 'keys.db');
    const db = openDatabase(file, keyStoreMigrations);
    const vault = await KeyVault.open(db, 'correct horse');
    const key = await vault.createEs256Key('issuer-signing');
    const did = await vault.webDid('127.0.0.1%3A4000', key.kid);
    expect(did).toBe('did:web:127.0.0.1%3A4000');
    db.close();

    const db2 = openDatabase(file, keyStoreMigrations);
    const raw = db2.prepare('SELECT sealed FROM veramo_private_keys').get() as { sealed: string };
    expect(raw.sealed.startsWith('v1.')).toBe(true);
    expect(raw.sealed).not.toContain(key.publicJwk.x as string);
    const reopened = await KeyVault.open(db2, 'correct horse');
    const [again] = await reopened.keysFor('issuer-signing');
    expect(again?.publicJwk).toEqual(key.publicJwk);
    const jws = signJws({ alg: 'ES256' }, { hello: 1 }, again!.privateKey);
    verifyJwsSignature(parseJws(jws), publicKeyFromJwk(key.publicJwk));

    await expectWrongPassphrase(() => KeyVault.open(db2, 'wrong'));
  });
});

/** A cheap KDF for tests that derive many keys (the default cost is for real secrets). */
const FAST_KDF = { salt: 'AAAAAAAAAAAAAAAAAAAAAA==', N: 2 ** 10, r: 8, p: 1 };

const privateD = (key: { privateKey: KeyObject }) => key.privateKey.export({ format: 'jwk' }).d;

async function expectWrongPassphrase(open: () => Promise<unknown>): Promise<void> {
  try {
    await open();
    throw new Error('expected wrong_passphrase');
  } catch (e) {
    expect(isShomeiError(e, 'wrong_passphrase')).toBe(true);
  }
}

describe('KeyVault export and import', () => {
  it('round-trips every key into a fresh database under another secret; a second import adds nothing', async () => {
    const from = await KeyVault.open(openDatabase(':memory:', keyStoreMigrations), 'first secret');
    const made = [await from.createEs256Key('holder-binding'), await from.createEs256Key('holder-binding')];
    const exported = await from.exportKeys();
    expect(exported.map((k) => k.kid).sort()).toEqual(made.map((k) => k.kid).sort());
    expect(exported[0]).toMatchObject({ kms: 'local', type: 'Secp256r1', privateType: 'Secp256r1' });
    expect(JSON.parse(exported[0]?.meta ?? '{}')).toMatchObject({ purpose: 'holder-binding' });

    const file = join(mkdtempSync(join(tmpdir(), 'vault-')), 'restored.db');
    const db = openDatabase(file, keyStoreMigrations);
    const into = await KeyVault.open(db, 'another secret');
    expect(await into.importKeys(exported)).toEqual({ imported: 2, skipped: 0 });
    expect(await into.importKeys(exported)).toEqual({ imported: 0, skipped: 2 });
    db.close();

    const reopened = await KeyVault.open(openDatabase(file, keyStoreMigrations), 'another secret');
    const restored = await reopened.keysFor('holder-binding');
    const byKid = (keys: { kid: string; publicJwk: unknown }[]) => Object.fromEntries(keys.map((k) => [k.kid, k.publicJwk]));
    expect(byKid(restored)).toEqual(byKid(made));
    for (const key of made) expect(privateD(await reopened.signingKey(key.kid))).toBe(privateD(key));
    // Sealed under the new vault's key: the old secret does not open the restored file.
    await expectWrongPassphrase(() => KeyVault.open(openDatabase(file, keyStoreMigrations), 'first secret'));
  });
});

describe('KeyVault rekey', () => {
  it("re-seals keys and the caller's values: the new secret opens them, the old one no longer does", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vault-')), 'keys.db');
    const db = openDatabase(file, keyStoreMigrations);
    const vault = await KeyVault.open(db, 'old secret');
    const key = await vault.createEs256Key('issuer-signing');
    let other = vault.seal('a personal value', 'row-1');

    await vault.rekey('new secret', {
      kdf: FAST_KDF,
      resealOthers: (reseal) => {
        other = reseal(other, 'row-1');
      },
    });
    // The vault that re-keyed goes on working, under the new key.
    expect(vault.unseal(other, 'row-1')).toBe('a personal value');
    db.close();

    await expectWrongPassphrase(() => KeyVault.open(openDatabase(file, keyStoreMigrations), 'old secret'));
    const reopened = await KeyVault.open(openDatabase(file, keyStoreMigrations), 'new secret');
    expect(privateD(await reopened.signingKey(key.kid))).toBe(privateD(key));
    expect(reopened.unseal(other, 'row-1')).toBe('a personal value');
  });

  it('is atomic: a failure half-way leaves every key under the old secret', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vault-')), 'keys.db');
    const db = openDatabase(file, keyStoreMigrations);
    const vault = await KeyVault.open(db, 'old secret');
    const keys = [await vault.createEs256Key('issuer-signing'), await vault.createEs256Key('issuer-signing')];
    const other = vault.seal('a personal value', 'row-1');

    // The vault's own keys are re-sealed first; the caller's step then fails.
    await expect(
      vault.rekey('new secret', {
        kdf: FAST_KDF,
        resealOthers: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(vault.unseal(other, 'row-1')).toBe('a personal value');
    db.close();

    await expectWrongPassphrase(() => KeyVault.open(openDatabase(file, keyStoreMigrations), 'new secret'));
    const reopened = await KeyVault.open(openDatabase(file, keyStoreMigrations), 'old secret');
    for (const key of keys) expect(privateD(await reopened.signingKey(key.kid))).toBe(privateD(key));
  });
});
