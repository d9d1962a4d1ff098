import { type KeyObject, randomBytes } from 'node:crypto';
import { createAgent, type IDIDManager, type IKeyManager, type TAgent } from '@veramo/core';
import { DIDManager } from '@veramo/did-manager';
import { WebDIDProvider } from '@veramo/did-provider-web';
import { KeyManager } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';
import { type PublicJwk, p256PrivateJwkFromHex, privateKeyFromJwk } from '../crypto/keys.js';
import { ShomeiError } from '../errors.js';
import type { Db } from '../store/db.js';
import { type KdfParams, newKdfParams, SecretBox } from './secret-box.js';
import { EncryptedSqlitePrivateKeyStore, SqliteDidStore, SqliteKeyStore } from './sqlite-stores.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

/** Associated data of the vault's passphrase check value (exported for re-keying a vault file). */
export const VAULT_CHECK_AAD = 'vault-check';
const CHECK_AAD = VAULT_CHECK_AAD;

/**
 * A small typed facade over a Veramo agent (key manager + DID manager) whose stores live in the
 * service's SQLite file and whose private keys are sealed under `secret`. Signing itself uses
 * node:crypto KeyObjects derived from the stored key: Veramo's local KMS signs with a pure-JS
 * curve library that is ~30x slower, too slow for issuance and presentation hot paths.
 */
export class KeyVault {
  private readonly cache = new Map<string, SigningKey>();

  private constructor(
    private readonly agent: TAgent<IKeyManager & IDIDManager>,
    private readonly keyStore: SqliteKeyStore,
    private readonly privateStore: EncryptedSqlitePrivateKeyStore,
    private readonly box: SecretBox,
  ) {}

  /**
   * Opens the vault in `db` (its tables come from `keyStoreMigrations`). The first open records
   * the KDF salt and a check value; later opens with another secret fail with `wrong_passphrase`.
   */
  static open(db: Db, secret: string): KeyVault {
    const box = openBox(db, secret);
    const privateStore = new EncryptedSqlitePrivateKeyStore(db, box);
    const keyStore = new SqliteKeyStore(db);
    const agent = createAgent<IKeyManager & IDIDManager>({
      plugins: [
        new KeyManager({ store: keyStore, kms: { local: new KeyManagementSystem(privateStore) } }),
        new DIDManager({
          store: new SqliteDidStore(db),
          defaultProvider: 'did:web',
          providers: { 'did:web': new WebDIDProvider({ defaultKms: 'local' }) },
        }),
      ],
    });
    return new KeyVault(agent, keyStore, privateStore, box);
  }

  /** Seals any other secret or personal value under the vault's key; `aad` names its row. */
  seal(plaintext: string, aad: string): string {
    return this.box.encrypt(plaintext, aad);
  }

  unseal(sealed: string, aad: string): string {
    return this.box.decrypt(sealed, aad);
  }

  /** Creates a P-256 key in the Veramo key manager; `purpose` is kept in the key's metadata. */
  async createEs256Key(purpose: string): Promise<SigningKey> {
    const key = await this.agent.keyManagerCreate({ kms: 'local', type: 'Secp256r1', meta: { purpose } });
    return this.signingKey(key.kid);
  }

  /** Keys created for `purpose`, oldest first. */
  async keysFor(purpose: string): Promise<SigningKey[]> {
    const keys = await this.keyStore.listKeys();
    const mine = keys.filter((k) => k.meta?.purpose === purpose);
    return Promise.all(mine.map((k) => this.signingKey(k.kid)));
  }

  async signingKey(kid: string): Promise<SigningKey> {
    const cached = this.cache.get(kid);
    if (cached) return cached;
    const managed = await this.privateStore.getKey({ alias: kid });
    if (managed.type !== 'Secp256r1') throw new ShomeiError('internal', `key type ${managed.type} is not P-256`);
    const jwk = p256PrivateJwkFromHex(managed.privateKeyHex);
    const { d: _d, ...publicJwk } = jwk;
    const key: SigningKey = { kid, privateKey: privateKeyFromJwk(jwk), publicJwk: { ...publicJwk, kid } };
    this.cache.set(kid, key);
    return key;
  }

  /** The did:web identifier for `host` (e.g. `127.0.0.1%3A4000`) controlled by key `kid`. */
  async webDid(host: string, kid: string): Promise<string> {
    const identifier = await this.agent.didManagerGetOrCreate({
      alias: host,
      provider: 'did:web',
      options: { keyRef: kid },
    });
    return identifier.did;
  }
}

function openBox(db: Db, secret: string): SecretBox {
  const get = db.prepare('SELECT value FROM vault_settings WHERE name = ?');
  const kdf = get.get('kdf') as { value: string } | undefined;
  if (!kdf) {
    const params = newKdfParams();
    const box = SecretBox.derive(secret, params);
    const insert = db.prepare('INSERT INTO vault_settings (name, value) VALUES (?, ?)');
    db.transaction(() => {
      insert.run('kdf', JSON.stringify(params));
      insert.run('check', box.encrypt(randomBytes(16).toString('hex'), CHECK_AAD));
    })();
    return box;
  }
  const box = SecretBox.derive(secret, JSON.parse(kdf.value) as KdfParams);
  const check = get.get('check') as { value: string } | undefined;
  if (!check) throw new ShomeiError('internal', 'key vault has no check value');
  box.decrypt(check.value, CHECK_AAD); // throws wrong_passphrase
  return box;
}
