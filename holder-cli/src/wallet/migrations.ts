import type { Migration } from '@shomei/shared';

/**
 * The wallet's own tables, beside the key vault's. A credential row keeps what `list` shows in the
 * clear (issuer, type, dates, assurance level: never a personal claim) and the credential itself
 * only sealed under the passphrase.
 */
export const walletMigrations: Migration[] = [
  {
    id: 'holder-001-credentials',
    sql: `
      CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        issuer TEXT NOT NULL,
        issuer_name TEXT,
        vct TEXT NOT NULL,
        assurance_level TEXT,
        sandbox INTEGER NOT NULL DEFAULT 0,
        holder_kid TEXT NOT NULL,
        issued_at TEXT,
        expires_at TEXT,
        received_at TEXT NOT NULL,
        sealed TEXT NOT NULL);
      CREATE INDEX credentials_vct ON credentials (vct);
    `,
  },
  {
    // Batch issuance: copies of one credential, each bound to its own holder key, share a
    // batch_id (the id of the first copy, so older single credentials are their own batch).
    // What was shared, with whom and why is sealed; only the time and the copy used are clear.
    id: 'holder-002-batches-history',
    sql: `
      ALTER TABLE credentials ADD COLUMN batch_id TEXT;
      UPDATE credentials SET batch_id = id WHERE batch_id IS NULL;
      CREATE INDEX credentials_batch ON credentials (batch_id);
      CREATE TABLE credential_batches (
        batch_id TEXT PRIMARY KEY,
        configuration_id TEXT,
        batch_size INTEGER NOT NULL DEFAULT 1,
        sealed_refresh TEXT);
      CREATE TABLE presentations (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        credential_id TEXT,
        sealed TEXT NOT NULL);
      CREATE INDEX presentations_credential ON presentations (credential_id);
    `,
  },
];
