import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { type Db, KeyVault, keyStoreMigrations, migrate, openDatabase, ShomeiError } from '@shomei/shared';
import { CredentialRepository } from './credential-repository.js';
import { HistoryRepository } from './history-repository.js';
import { walletFile } from './location.js';
import { walletMigrations } from './migrations.js';

export const WALLET_MIGRATIONS = [...keyStoreMigrations, ...walletMigrations];

/** An open wallet: its SQLite file, the key vault inside it, and the credentials. */
export class Wallet {
  readonly credentials: CredentialRepository;
  readonly history: HistoryRepository;

  constructor(
    readonly file: string,
    readonly db: Db,
    readonly vault: KeyVault,
  ) {
    this.credentials = new CredentialRepository(db, vault);
    this.history = new HistoryRepository(db, vault);
  }

  /**
   * Runs `fn` in one write transaction that may span awaits (better-sqlite3's own transaction
   * helper cannot). Receiving a credential creates its holder key before the network round trip
   * that returns the credential; both are kept, or neither.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function walletExists(home: string): boolean {
  return existsSync(walletFile(home));
}

/** Fails with wallet_not_initialized unless `home` holds a wallet. */
export function assertWalletExists(home: string): void {
  if (!walletExists(home)) {
    throw new ShomeiError('wallet_not_initialized', `no wallet in ${home}; create one with \`shomei init\``);
  }
}

/**
 * Creates `<home>/wallet.db` (0600, in a 0700 directory) with its key vault sealed under
 * `passphrase`. Refuses to touch an existing wallet.
 */
export async function initWallet(home: string, passphrase: string): Promise<Wallet> {
  if (passphrase.length === 0) throw new ShomeiError('invalid_request', 'the passphrase must not be empty');
  const created = mkdirSync(home, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(home, 0o700);
  const file = walletFile(home);
  let fd: number;
  try {
    // 'wx' creates the file with owner-only permissions or fails if it exists: no window in which
    // another process could have made it, or in which it is readable by others.
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ShomeiError('wallet_exists', `a wallet already exists at ${file}`);
    throw e;
  }
  closeSync(fd);
  let db: Db | undefined;
  try {
    db = openDatabase(file, WALLET_MIGRATIONS);
    const vault = await KeyVault.open(db, passphrase);
    return new Wallet(file, db, vault);
  } catch (e) {
    db?.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    throw e;
  }
}

/**
 * Opens an existing wallet. The passphrase is checked before anything is written: a wrong one
 * fails with wrong_passphrase and leaves the file as it was.
 */
export async function openWallet(home: string, passphrase: string): Promise<Wallet> {
  assertWalletExists(home);
  const file = walletFile(home);
  // No migrations until the passphrase is proven: openDatabase with none only ensures the
  // bookkeeping table, which every wallet already has.
  const db = openDatabase(file, []);
  try {
    if (!(await KeyVault.isInitialized(db))) throw new ShomeiError('wallet_not_initialized', `${file} is not an initialized Shomei wallet`);
    let vault: KeyVault;
    try {
      vault = await KeyVault.open(db, passphrase);
    } catch (e) {
      if (e instanceof ShomeiError && e.code === 'wrong_passphrase') throw new ShomeiError('wrong_passphrase', 'wrong passphrase');
      throw e;
    }
    migrate(db, WALLET_MIGRATIONS);
    return new Wallet(file, db, vault);
  } catch (e) {
    db.close();
    throw e;
  }
}
