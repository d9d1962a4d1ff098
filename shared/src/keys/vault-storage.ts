/**
 * What the key vault keeps, as rows any backend can hold: the public half of each key as Veramo's
 * key manager records it, the private half sealed (never in the clear), the DIDs, and the vault's
 * settings (KDF salt and parameters, the passphrase check value). The vault is the only reader and
 * writer of these rows; other code asks the vault (export, import, rekey) instead.
 *
 * Asynchronous, so that the rows may live in SQLite (a wallet, a single service) or PostgreSQL
 * (service replicas sharing one vault).
 */
export interface VaultStorage {
  setting(name: string): Promise<string | undefined>;
  /** Writes all `values` (inserting or replacing each) in one transaction. */
  saveSettings(values: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Writes `values` only if no setting named `first` exists yet, in one transaction; returns
   * whether they were written. Two replicas opening an empty vault at once: one wins, the other
   * then reads the winner's settings.
   */
  saveSettingsIfAbsent(first: string, values: Readonly<Record<string, string>>): Promise<boolean>;

  /** Inserts or replaces the key with this kid. */
  putKey(key: StoredKey): Promise<void>;
  key(kid: string): Promise<StoredKey | undefined>;
  deleteKey(kid: string): Promise<boolean>;
  keys(): Promise<StoredKey[]>;

  /** Inserts a sealed private key; fails if one with this alias exists. */
  insertPrivateKey(key: SealedPrivateKey): Promise<void>;
  privateKey(alias: string): Promise<SealedPrivateKey | undefined>;
  /** Replaces the ciphertext of an existing private key (re-keying). */
  replaceSealed(alias: string, sealed: string): Promise<void>;
  deletePrivateKey(alias: string): Promise<boolean>;
  privateKeys(): Promise<SealedPrivateKey[]>;

  /** Inserts or replaces the DID. */
  putDid(did: StoredDid): Promise<void>;
  did(by: { did: string } | { alias: string }): Promise<StoredDid | undefined>;
  deleteDid(did: string): Promise<boolean>;
  dids(): Promise<StoredDid[]>;

  /**
   * Runs `fn` in one transaction (joining the caller's when one is open): all of it or none.
   * Inside, use the storage `fn` is given.
   */
  transaction<T>(fn: (tx: VaultStorage) => Promise<T>): Promise<T>;
}

/** The public half of a key; `meta` is JSON text, kept as written so that exports round-trip exactly. */
export interface StoredKey {
  kid: string;
  kms: string;
  type: string;
  publicKeyHex: string;
  meta: string | null;
}

/** A private key sealed under the vault key, with its alias as associated data. */
export interface SealedPrivateKey {
  alias: string;
  type: string;
  sealed: string;
}

/** A DID as Veramo's DID manager records it; `keys` and `services` are JSON text. */
export interface StoredDid {
  did: string;
  alias: string | null;
  provider: string | null;
  controllerKeyId: string | null;
  keys: string;
  services: string;
}
