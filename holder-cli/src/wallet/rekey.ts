import { type KdfParams, newKdfParams, ShomeiError } from '@shomei/shared';
import type { Wallet } from './wallet.js';

/**
 * Every value the wallet itself seals under the vault key, and the associated data it was sealed
 * with (the vault re-seals its own keys). A new sealed column must be listed here, or `passphrase
 * change` would leave it unreadable (the re-key test opens every one of them afterwards).
 */
const SEALED_COLUMNS: { table: string; key: string; column: string; aad: (key: string) => string }[] = [
  { table: 'credentials', key: 'id', column: 'sealed', aad: (k) => k },
  { table: 'presentations', key: 'id', column: 'sealed', aad: (k) => `presentation:${k}` },
  { table: 'credential_batches', key: 'batch_id', column: 'sealed_refresh', aad: (k) => `refresh:${k}` },
];

/**
 * Re-encrypts everything in an open wallet under a key derived from `newPassphrase` (fresh scrypt
 * salt), in one transaction: a failure anywhere leaves the file under the old passphrase. Then
 * the old ciphertexts are wiped from free pages and the WAL (secure_delete, VACUUM, checkpoint).
 * The wallet must be closed afterwards and reopened with the new passphrase.
 */
export async function changePassphrase(wallet: Wallet, newPassphrase: string, params: KdfParams = newKdfParams()): Promise<void> {
  if (newPassphrase.length === 0) throw new ShomeiError('invalid_request', 'the passphrase must not be empty');
  const db = wallet.db;
  db.pragma('secure_delete = ON');
  await wallet.vault.rekey(newPassphrase, {
    kdf: params,
    resealOthers: (reseal) => {
      for (const s of SEALED_COLUMNS) {
        const rows = db.prepare(`SELECT ${s.key} AS k, ${s.column} AS v FROM ${s.table} WHERE ${s.column} IS NOT NULL`).all() as {
          k: string;
          v: string;
        }[];
        const update = db.prepare(`UPDATE ${s.table} SET ${s.column} = ? WHERE ${s.key} = ?`);
        for (const r of rows) update.run(reseal(r.v, s.aad(r.k)), r.k);
      }
    },
  });
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
