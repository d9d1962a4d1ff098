import { type KeyObject, randomBytes } from 'node:crypto';
import { createAgent, type IDIDManager, type IKeyManager, type TAgent } from '@veramo/core';
import { DIDManager } from '@veramo/did-manager';
import { WebDIDProvider } from '@veramo/did-provider-web';
import { KeyManager } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';
import { type PublicJwk, p256PrivateJwkFromHex, privateKeyFromJwk } from '../crypto/keys.js';
import { ShomeiError } from '../errors.js';
import { SqliteDatabase } from '../sql/sqlite.js';
import type { SqlExecutor } from '../sql/types.js';
import type { Db } from '../store/db.js';
import { type KdfParams, newKdfParams, SecretBox } from './secret-box.js';
import { SqlVaultStorage } from './sql-vault-storage.js';
import type { VaultStorage } from './vault-storage.js';
import { SealedPrivateKeyStore, VaultDidStore, VaultKeyStore } from './veramo-stores.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

/**
 * A key taken out of the vault with its private half in the clear (for a backup that seals it
 * under its own passphrase). `meta` is the key's metadata as JSON text, exactly as stored.
 */
export interface ExportedKey {
  kid: string;
  kms: string;
  type: string;
  publicKeyHex: string;
  meta: string | null;
  privateType: string;
  privateKeyHex: string;
}

/** Re-seals one value sealed under the vault's current key under the new one; `aad` as it was sealed with. */
export type Reseal = (sealed: string, aad: string) => string;

export interface RekeyOptions {
  /** KDF salt and cost for the new secret (default: a fresh salt, the default cost). */
  kdf?: KdfParams;
  /**
   * Re-seals the caller's own values sealed under the vault key (a wallet's credentials, say), in
   * the same transaction as the vault's keys: if it throws, nothing changes.
   */
  resealOthers?: (reseal: Reseal) => void | Promise<void>;
}

/** Associated data of the vault's passphrase check value. */
const CHECK_AAD = 'vault-check';

/**
 * A small typed facade over a Veramo agent (key manager + DID manager) whose stores live in the
 * vault's storage (the service's or wallet's SQLite file today) and whose private keys are sealed
 * under `secret`. It is the only code that reads or writes those rows: backups, restores and
 * passphrase changes go through `exportKeys`, `importKeys` and `rekey`. Signing itself uses
 * node:crypto KeyObjects derived from the stored key: Veramo's local KMS signs with a pure-JS
 * curve library that is ~30x slower, too slow for issuance and presentation hot paths.
 */
export class KeyVault {
  private readonly cache = new Map<string, SigningKey>();
  private readonly agent: TAgent<IKeyManager & IDIDManager>;
  private readonly keyStore: VaultKeyStore;
  private readonly privateStore: SealedPrivateKeyStore;

  private constructor(
    private readonly storage: VaultStorage,
    /** Replaced by `rekey`; the private-key store reads it through a getter for that reason. */
    private box: SecretBox,
  ) {
    this.keyStore = new VaultKeyStore(storage);
    this.privateStore = new SealedPrivateKeyStore(storage, () => this.box);
    this.agent = createAgent<IKeyManager & IDIDManager>({
      plugins: [
        new KeyManager({ store: this.keyStore, kms: { local: new KeyManagementSystem(this.privateStore) } }),
        new DIDManager({
          store: new VaultDidStore(storage),
          defaultProvider: 'did:web',
          providers: { 'did:web': new WebDIDProvider({ defaultKms: 'local' }) },
        }),
      ],
    });
  }

  /**
   * Opens the vault in `storage`: a database (SQLite or PostgreSQL through the port, or a bare
   * better-sqlite3 connection) with the vault's migrations applied, or any other `VaultStorage`.
   * The first open records the KDF salt and a check value; later opens with another secret fail
   * with `wrong_passphrase`.
   */
  static async open(storage: VaultStorage | SqlExecutor | Db, secret: string): Promise<KeyVault> {
    const rows = asStorage(storage);
    return new KeyVault(rows, await openBox(rows, secret));
  }

  /** Whether `storage` holds a vault (has been opened once), without needing its secret. */
  static async isInitialized(storage: VaultStorage | SqlExecutor | Db): Promise<boolean> {
    return (await asStorage(storage).setting('kdf')) !== undefined;
  }

  /** Seals any other secret or personal value under the vault's key; `aad` names its row. */
  seal(plaintext: string, aad: string): string {
    return this.box.encrypt(plaintext, aad);
  }

  unseal(sealed: string, aad: string): string {
    return this.box.decrypt(sealed, aad);
  }

  /** Creates a P-256 key in the Veramo key manager; `purpose` and the time are kept in the key's metadata. */
  async createEs256Key(purpose: string): Promise<SigningKey> {
    const key = await this.agent.keyManagerCreate({ kms: 'local', type: 'Secp256r1', meta: { purpose, createdAt: Date.now() } });
    return this.signingKey(key.kid);
  }

  /**
   * Keys created for `purpose`, oldest first (by the creation time in their metadata; keys from
   * before it was recorded come first, in the order SQLite stored them).
   */
  async keysFor(purpose: string): Promise<SigningKey[]> {
    const keys = await this.keyStore.listKeys();
    const mine = keys
      .filter((k) => k.meta?.purpose === purpose)
      .map((k, order) => ({ k, order, at: typeof k.meta?.createdAt === 'number' ? k.meta.createdAt : 0 }))
      .sort((a, b) => a.at - b.at || a.order - b.order);
    return Promise.all(mine.map(({ k }) => this.signingKey(k.kid)));
  }

  /**
   * The keys for `purpose`, creating the first one if there is none, exactly once even when
   * several replicas of a service start at once on one empty database: the replica that records
   * the claim creates the key, the others wait for it to appear.
   */
  async keysOrFirstFor(purpose: string, waitMs = 15_000): Promise<SigningKey[]> {
    const existing = await this.keysFor(purpose);
    if (existing.length > 0) return existing;
    const claim = `first-key:${purpose}`;
    if (await this.storage.saveSettingsIfAbsent(claim, { [claim]: new Date().toISOString() })) {
      return [await this.createEs256Key(purpose)];
    }
    const deadline = Date.now() + waitMs;
    for (;;) {
      const keys = await this.keysFor(purpose);
      if (keys.length > 0) return keys;
      if (Date.now() > deadline) {
        throw new ShomeiError(
          'internal',
          `another process claimed creating the first ${purpose} key but none appeared within ${waitMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
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

  /** Every key the vault holds, private halves in the clear: for a backup, which seals them itself. */
  async exportKeys(): Promise<ExportedKey[]> {
    return this.storage.transaction(async (tx) => {
      const out: ExportedKey[] = [];
      for (const k of await tx.keys()) {
        const sealed = await tx.privateKey(k.kid);
        if (sealed) out.push({ ...k, privateType: sealed.type, privateKeyHex: this.box.decrypt(sealed.sealed, k.kid) });
      }
      return out;
    });
  }

  /**
   * Adds `keys` (as `exportKeys` gave them), sealed under this vault's key; a key id the vault
   * already holds is left as it is. All or nothing (and inside the caller's transaction if open).
   */
  async importKeys(keys: readonly ExportedKey[]): Promise<{ imported: number; skipped: number }> {
    return this.storage.transaction(async (tx) => {
      let imported = 0;
      for (const k of keys) {
        if (await tx.key(k.kid)) continue;
        const { privateType, privateKeyHex, ...publicHalf } = k;
        await tx.putKey(publicHalf);
        await tx.insertPrivateKey({ alias: k.kid, type: privateType, sealed: this.box.encrypt(privateKeyHex, k.kid) });
        imported++;
      }
      return { imported, skipped: keys.length - imported };
    });
  }

  /**
   * Re-seals every private key (and, through `resealOthers`, the caller's values) under a key
   * derived from `newSecret` with a fresh salt, and records the new salt and check value, in one
   * transaction: a failure anywhere leaves everything under the old secret. From then on this
   * vault, and every later open, uses the new secret.
   */
  async rekey(newSecret: string, options: RekeyOptions = {}): Promise<void> {
    const params = options.kdf ?? newKdfParams();
    const next = SecretBox.derive(newSecret, params);
    const reseal: Reseal = (sealed, aad) => next.encrypt(this.box.decrypt(sealed, aad), aad);
    await this.storage.transaction(async (tx) => {
      for (const k of await tx.privateKeys()) await tx.replaceSealed(k.alias, reseal(k.sealed, k.alias));
      await options.resealOthers?.(reseal);
      await tx.saveSettings(settingsFor(next, params));
    });
    this.box = next;
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

function asStorage(storage: VaultStorage | SqlExecutor | Db): VaultStorage {
  if ('prepare' in storage) return new SqlVaultStorage(new SqliteDatabase(storage, false));
  if ('dialect' in storage) return new SqlVaultStorage(storage);
  return storage;
}

/** The settings that let a later open derive the key and tell a wrong secret: KDF parameters and a check value. */
function settingsFor(box: SecretBox, params: KdfParams): Record<string, string> {
  return { kdf: JSON.stringify(params), check: box.encrypt(randomBytes(16).toString('hex'), CHECK_AAD) };
}

async function openBox(storage: VaultStorage, secret: string): Promise<SecretBox> {
  let kdf = await storage.setting('kdf');
  if (kdf === undefined) {
    const params = newKdfParams();
    const box = SecretBox.derive(secret, params);
    // Two replicas opening one empty vault at once: the first to record its settings wins; the
    // other derives its key from the winner's salt below, and checks its secret against them.
    if (await storage.saveSettingsIfAbsent('kdf', settingsFor(box, params))) return box;
    kdf = (await storage.setting('kdf')) as string;
  }
  const box = SecretBox.derive(secret, JSON.parse(kdf) as KdfParams);
  const check = await storage.setting('check');
  if (check === undefined) throw new ShomeiError('internal', 'key vault has no check value');
  box.decrypt(check, CHECK_AAD); // throws wrong_passphrase
  return box;
}
