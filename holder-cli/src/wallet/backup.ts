import { type ExportedKey, type KdfParams, newKdfParams, SecretBox, ShomeiError, SqliteDatabase } from '@shomei/shared';
import { z } from 'zod';
import type { Wallet } from './wallet.js';

export const BACKUP_FORMAT = 'shomei-wallet-backup';
const BACKUP_AAD = `${BACKUP_FORMAT}:v1`;

const backupFileSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  created_at: z.string(),
  kdf: z.object({ name: z.literal('scrypt'), salt: z.string(), N: z.number().int(), r: z.number().int(), p: z.number().int() }),
  sealed: z.string(),
});

const contentsSchema = z.object({
  keys: z.array(
    z.object({
      kid: z.string(),
      kms: z.string(),
      type: z.string(),
      public_key_hex: z.string(),
      meta: z.string().nullable(),
      private_type: z.string(),
      private_key_hex: z.string(),
    }),
  ),
  credentials: z.array(z.record(z.string(), z.unknown()).and(z.object({ id: z.string(), compact: z.string() }))),
  batches: z.array(
    z.object({
      batch_id: z.string(),
      configuration_id: z.string().nullable(),
      batch_size: z.number(),
      refresh_token: z.string().nullable(),
    }),
  ),
  history: z.array(z.object({ id: z.string(), created_at: z.string(), credential_id: z.string().nullable(), entry: z.string() })),
});
type Contents = z.infer<typeof contentsSchema>;

type BackupKey = Contents['keys'][number];

/** A vault key as the backup spells it: the names of its first version, snake_case like the vault's rows then. */
function toBackupKey(k: ExportedKey): BackupKey {
  return {
    kid: k.kid,
    kms: k.kms,
    type: k.type,
    public_key_hex: k.publicKeyHex,
    meta: k.meta,
    private_type: k.privateType,
    private_key_hex: k.privateKeyHex,
  };
}

function fromBackupKey(k: BackupKey): ExportedKey {
  return {
    kid: k.kid,
    kms: k.kms,
    type: k.type,
    publicKeyHex: k.public_key_hex,
    meta: k.meta,
    privateType: k.private_type,
    privateKeyHex: k.private_key_hex,
  };
}

const CREDENTIAL_COLUMNS = [
  'id',
  'format',
  'issuer',
  'issuer_name',
  'vct',
  'assurance_level',
  'sandbox',
  'holder_kid',
  'issued_at',
  'expires_at',
  'received_at',
  'batch_id',
] as const;

/**
 * The whole wallet (holder keys, credentials as issued, batches, history) as one JSON document
 * sealed with AES-256-GCM under a key derived with scrypt from the backup passphrase. Nothing in
 * it is readable without that passphrase; the file says only what it is and when it was made.
 */
export async function exportBackup(wallet: Wallet, passphrase: string, now: Date, params: KdfParams = newKdfParams()): Promise<string> {
  const db = wallet.db;
  const keys = (await wallet.vault.exportKeys()).map(toBackupKey);
  const credentials = (
    db.prepare(`SELECT ${CREDENTIAL_COLUMNS.join(', ')}, sealed FROM credentials`).all() as Record<string, unknown>[]
  ).map(({ sealed, ...row }) => ({ ...row, id: String(row.id), compact: wallet.vault.unseal(String(sealed), String(row.id)) }));
  const batches = (
    db.prepare('SELECT batch_id, configuration_id, batch_size, sealed_refresh FROM credential_batches').all() as {
      batch_id: string;
      configuration_id: string | null;
      batch_size: number;
      sealed_refresh: string | null;
    }[]
  ).map(({ sealed_refresh, ...b }) => ({
    ...b,
    refresh_token: sealed_refresh ? wallet.vault.unseal(sealed_refresh, `refresh:${b.batch_id}`) : null,
  }));
  const history = (
    db.prepare('SELECT id, created_at, credential_id, sealed FROM presentations').all() as {
      id: string;
      created_at: string;
      credential_id: string | null;
      sealed: string;
    }[]
  ).map(({ sealed, ...h }) => ({ ...h, entry: wallet.vault.unseal(sealed, `presentation:${h.id}`) }));
  const contents: Contents = { keys, credentials, batches, history };
  const box = SecretBox.derive(passphrase, params);
  return `${JSON.stringify(
    {
      format: BACKUP_FORMAT,
      version: 1,
      created_at: now.toISOString(),
      kdf: { name: 'scrypt', ...params },
      sealed: box.encrypt(JSON.stringify(contents), BACKUP_AAD),
    },
    null,
    2,
  )}\n`;
}

/** Opens a backup file's text; a wrong passphrase (or a damaged file) fails with wrong_passphrase. */
export function openBackup(text: string, passphrase: string): Contents {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ShomeiError('malformed', 'this is not a Shomei wallet backup (not JSON)');
  }
  const file = backupFileSchema.safeParse(json);
  if (!file.success) throw new ShomeiError('malformed', 'this is not a Shomei wallet backup, or one from a newer version');
  const { name: _name, ...params } = file.data.kdf;
  if (params.N > 2 ** 20 || params.r > 32 || params.p > 16)
    throw new ShomeiError('malformed', 'the backup asks for an unreasonable KDF cost');
  let plain: string;
  try {
    plain = SecretBox.derive(passphrase, params).decrypt(file.data.sealed, BACKUP_AAD);
  } catch (e) {
    if (e instanceof ShomeiError && e.code === 'wrong_passphrase')
      throw new ShomeiError('wrong_passphrase', 'wrong backup passphrase, or the backup file is damaged');
    throw e;
  }
  const contents = contentsSchema.safeParse(JSON.parse(plain));
  if (!contents.success) throw new ShomeiError('malformed', 'the backup contents are not what this version of shomei expects');
  return contents.data;
}

export interface ImportSummary {
  keys: number;
  credentials: number;
  history: number;
  /** Items the wallet already held. */
  skipped: number;
}

/**
 * Restores a backup into an open wallet, resealing everything under the wallet's own passphrase;
 * items the wallet already holds (same key id, credential id or history id) are left as they are.
 * All or nothing.
 */
export async function importBackup(wallet: Wallet, contents: Contents): Promise<ImportSummary> {
  const db = wallet.db;
  const summary: ImportSummary = { keys: 0, credentials: 0, history: 0, skipped: 0 };
  // One transaction on the wallet's connection: the vault's key import joins it (same connection).
  await new SqliteDatabase(db, false).transaction(async () => {
    const keys = await wallet.vault.importKeys(contents.keys.map(fromBackupKey));
    summary.keys = keys.imported;
    summary.skipped += keys.skipped;
    const hasCredential = db.prepare('SELECT 1 FROM credentials WHERE id = ?');
    const insCredential = db.prepare(
      `INSERT INTO credentials (${CREDENTIAL_COLUMNS.join(', ')}, sealed) VALUES (${CREDENTIAL_COLUMNS.map((c) => `@${c}`).join(', ')}, @sealed)`,
    );
    for (const c of contents.credentials) {
      if (hasCredential.get(c.id)) {
        summary.skipped++;
        continue;
      }
      const row: Record<string, unknown> = { sealed: wallet.vault.seal(c.compact, c.id) };
      for (const col of CREDENTIAL_COLUMNS) row[col] = c[col] ?? null;
      insCredential.run(row);
      summary.credentials++;
    }
    const hasBatch = db.prepare('SELECT 1 FROM credential_batches WHERE batch_id = ?');
    for (const b of contents.batches) {
      if (hasBatch.get(b.batch_id)) continue;
      wallet.credentials.recordBatch(b.batch_id, {
        configurationId: b.configuration_id,
        batchSize: b.batch_size,
        refreshToken: b.refresh_token ?? undefined,
      });
    }
    const hasHistory = db.prepare('SELECT 1 FROM presentations WHERE id = ?');
    const insHistory = db.prepare('INSERT INTO presentations (id, created_at, credential_id, sealed) VALUES (?, ?, ?, ?)');
    for (const h of contents.history) {
      if (hasHistory.get(h.id)) {
        summary.skipped++;
        continue;
      }
      insHistory.run(h.id, h.created_at, h.credential_id, wallet.vault.seal(h.entry, `presentation:${h.id}`));
      summary.history++;
    }
  });
  return summary;
}
