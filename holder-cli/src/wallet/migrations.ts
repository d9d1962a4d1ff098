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
];
