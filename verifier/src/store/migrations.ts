import { keyStoreMigrations, type Migration } from '@shomei/shared';

export const verifierMigrations: Migration[] = [
  {
    id: 'verifier-001-clients-requests',
    sql: `
      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL);
      CREATE TABLE presentation_requests (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        preset TEXT,
        paths TEXT NOT NULL,
        purpose TEXT NOT NULL,
        nonce TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'accepted', 'rejected')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        completed_at INTEGER,
        sealed_result TEXT);
      CREATE INDEX presentation_requests_client ON presentation_requests (client_id, created_at);
    `,
  },
];

/** Everything the verifier's database file holds: the key vault's tables and the verifier's own. */
export const allVerifierMigrations: readonly Migration[] = [...keyStoreMigrations, ...verifierMigrations];
