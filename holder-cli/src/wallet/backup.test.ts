import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSdJwt } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { TEST_PASSPHRASE } from '../testing/fixtures.js';
import { exportBackup, importBackup, openBackup } from './backup.js';
import { initWallet } from './wallet.js';

/**
 * A backup written by the code before the key vault owned its tables (issue 15): one holder key,
 * one credential bound to it, a batch with a refresh token, one history entry. Cheap KDF cost.
 */
const OLD_BACKUP = readFileSync(new URL('./fixtures/backup-v1.json', import.meta.url), 'utf8');
const OLD_BACKUP_PASSPHRASE = 'fixture backup passphrase';

describe('wallet backups', () => {
  it('a backup file from before the vault API still restores: the key signs for its credential, everything opens', async () => {
    const wallet = await initWallet(join(mkdtempSync(join(tmpdir(), 'shomei-backup-')), 'wallet'), TEST_PASSPHRASE);
    try {
      const contents = openBackup(OLD_BACKUP, OLD_BACKUP_PASSPHRASE);
      expect(await importBackup(wallet, contents)).toEqual({ keys: 1, credentials: 1, history: 1, skipped: 0 });

      const [record] = wallet.credentials.list();
      const compact = wallet.credentials.compact(record?.id as string) as string;
      const key = await wallet.vault.signingKey(record?.holderKid as string);
      const { kid: _kid, ...jwk } = key.publicJwk;
      expect((decodeSdJwt(compact).issuerJws.payload.cnf as { jwk: unknown }).jwk).toEqual(jwk);
      expect(wallet.credentials.refreshToken('batch-1')).toBe('refresh-token-abcdefghijklmnop');
      expect(wallet.history.list().map((h) => h.outcome)).toEqual(['accepted']);

      // Exported again, it carries the same key, byte for byte in the fields the format names.
      const again = openBackup(await exportBackup(wallet, 'another', new Date()), 'another');
      expect(again.keys).toEqual(contents.keys);
    } finally {
      wallet.close();
    }
  });
});
