import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJws, signJws, verifyJwsSignature } from '../crypto/jws.js';
import { publicKeyFromJwk } from '../crypto/keys.js';
import { isShomeiError } from '../errors.js';
import { openDatabase } from '../store/db.js';
import { KeyVault } from './key-vault.js';
import { keyStoreMigrations } from './sqlite-stores.js';

describe('KeyVault (Veramo on better-sqlite3)', () => {
  it('creates a P-256 key, seals it at rest, reopens with the secret and signs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vault-')), 'keys.db');
    const db = openDatabase(file, keyStoreMigrations);
    const vault = KeyVault.open(db, 'correct horse');
    const key = await vault.createEs256Key('issuer-signing');
    const did = await vault.webDid('127.0.0.1%3A4000', key.kid);
    expect(did).toBe('did:web:127.0.0.1%3A4000');
    db.close();

    const db2 = openDatabase(file, keyStoreMigrations);
    const raw = db2.prepare('SELECT sealed FROM veramo_private_keys').get() as { sealed: string };
    expect(raw.sealed.startsWith('v1.')).toBe(true);
    expect(raw.sealed).not.toContain(key.publicJwk.x as string);
    const reopened = KeyVault.open(db2, 'correct horse');
    const [again] = await reopened.keysFor('issuer-signing');
    expect(again?.publicJwk).toEqual(key.publicJwk);
    const jws = signJws({ alg: 'ES256' }, { hello: 1 }, again!.privateKey);
    verifyJwsSignature(parseJws(jws), publicKeyFromJwk(key.publicJwk));

    try {
      KeyVault.open(db2, 'wrong');
      throw new Error('expected wrong_passphrase');
    } catch (e) {
      expect(isShomeiError(e, 'wrong_passphrase')).toBe(true);
    }
  });
});
