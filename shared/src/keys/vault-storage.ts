/**
 * What the key vault keeps, as rows any backend can hold: the public half of each key as Veramo's
 * key manager records it, the private half sealed (never in the clear), the DIDs, and the vault's
 * settings (KDF salt and parameters, the passphrase check value). The vault is the only reader and
 * writer of these rows; other code asks the vault (export, import, rekey) instead.
 *
 * Calls are synchronous because the one backend today (better-sqlite3) is, and because a re-key
 * must run with the caller's own re-sealing in one transaction (`transaction`).
 */
export interface VaultStorage {
  setting(name: string): string | undefined;
  /** Writes all `values` (inserting or replacing each) in one transaction. */
  saveSettings(values: Readonly<Record<string, string>>): void;

  /** Inserts or replaces the key with this kid. */
  putKey(key: StoredKey): void;
  key(kid: string): StoredKey | undefined;
  deleteKey(kid: string): boolean;
  keys(): StoredKey[];

  /** Inserts a sealed private key; fails if one with this alias exists. */
  insertPrivateKey(key: SealedPrivateKey): void;
  privateKey(alias: string): SealedPrivateKey | undefined;
  /** Replaces the ciphertext of an existing private key (re-keying). */
  replaceSealed(alias: string, sealed: string): void;
  deletePrivateKey(alias: string): boolean;
  privateKeys(): SealedPrivateKey[];

  /** Inserts or replaces the DID. */
  putDid(did: StoredDid): void;
  did(by: { did: string } | { alias: string }): StoredDid | undefined;
  deleteDid(did: string): boolean;
  dids(): StoredDid[];

  /** Runs `fn` in one transaction (nested in the caller's when one is open): all of it or none. */
  transaction<T>(fn: () => T): T;
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
