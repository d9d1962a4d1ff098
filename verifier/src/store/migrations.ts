import { keyStoreMigrations, leaseMigration, type Migration, type SqlMigration, vaultPostgresMigrations } from '@shomei/shared';

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
  {
    id: 'verifier-002-policy-evidence-webhooks',
    sql: `
      ALTER TABLE presentation_requests ADD COLUMN policy TEXT;
      ALTER TABLE presentation_requests ADD COLUMN sealed_record TEXT;
      ALTER TABLE clients ADD COLUMN webhook_url TEXT;
      ALTER TABLE clients ADD COLUMN sealed_webhook_secret TEXT;
      ALTER TABLE clients ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 90;
      ALTER TABLE clients ADD COLUMN keep_values INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE evidence (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        request_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('oid4vp', 'verify')),
        created_at INTEGER NOT NULL,
        purge_at INTEGER NOT NULL,
        request TEXT NOT NULL,
        result TEXT NOT NULL,
        presentation_hash TEXT NOT NULL,
        disclosed_names TEXT NOT NULL,
        sealed_values TEXT);
      CREATE INDEX evidence_client ON evidence (client_id, created_at);
      CREATE INDEX evidence_purge ON evidence (purge_at);
    `,
  },
  {
    id: 'verifier-003-settings',
    sql: `
      CREATE TABLE verifier_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL);
    `,
  },
  {
    // When a response claimed the request: a claim whose process died (kill -9, power loss) before it
    // completed is taken over by the next response after the claim timeout.
    id: 'verifier-004-claimed-at',
    sql: `ALTER TABLE presentation_requests ADD COLUMN claimed_at INTEGER;`,
  },
  {
    // Front-desk sign-ins as rows (issue 14, item 3), so that sign-out and `client revoke` end them on
    // every instance; the cookie holds a random id and only its SHA-256 is stored. A revoked client's
    // key and sessions stop at once; its requests and evidence stay for their retention.
    id: 'verifier-005-frontdesk-sessions-client-revocation',
    sql: `
      CREATE TABLE frontdesk_sessions (
        id_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL);
      CREATE INDEX frontdesk_sessions_client ON frontdesk_sessions (client_id);
      CREATE INDEX frontdesk_sessions_expiry ON frontdesk_sessions (expires_at);
      ALTER TABLE clients ADD COLUMN revoked_at INTEGER;
    `,
  },
  {
    // When `client rotate-key` last replaced the key: the durable trace of a rotation (the CLI also logs it).
    id: 'verifier-006-client-key-rotated-at',
    sql: `ALTER TABLE clients ADD COLUMN key_rotated_at INTEGER;`,
  },
];

/** Everything the verifier's database file holds: the key vault's tables and the verifier's own. */
export const allVerifierMigrations: readonly Migration[] = [
  ...keyStoreMigrations,
  ...verifierMigrations,
  // Job leases: with one process per SQLite file its jobs always win them, but the table is the same.
  { id: 'verifier-007-leases', sql: leaseMigration.sql },
];

/**
 * The verifier on PostgreSQL (replicas behind a load balancer): today's schema as one baseline,
 * with times in milliseconds as BIGINT. Later changes are appended, never edited in place.
 */
export const verifierPostgresMigrations: readonly SqlMigration[] = [
  ...vaultPostgresMigrations,
  leaseMigration,
  {
    id: 'verifier-pg-001-baseline',
    sql: `
      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        webhook_url TEXT,
        sealed_webhook_secret TEXT,
        retention_days INTEGER NOT NULL DEFAULT 90,
        keep_values INTEGER NOT NULL DEFAULT 0,
        revoked_at BIGINT,
        key_rotated_at BIGINT);
      CREATE TABLE presentation_requests (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        preset TEXT,
        paths TEXT NOT NULL,
        purpose TEXT NOT NULL,
        nonce TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'accepted', 'rejected')),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        completed_at BIGINT,
        sealed_result TEXT,
        policy TEXT,
        sealed_record TEXT,
        claimed_at BIGINT);
      CREATE INDEX presentation_requests_client ON presentation_requests (client_id, created_at);
      CREATE TABLE evidence (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        request_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('oid4vp', 'verify')),
        created_at BIGINT NOT NULL,
        purge_at BIGINT NOT NULL,
        request TEXT NOT NULL,
        result TEXT NOT NULL,
        presentation_hash TEXT NOT NULL,
        disclosed_names TEXT NOT NULL,
        sealed_values TEXT);
      CREATE INDEX evidence_client ON evidence (client_id, created_at);
      CREATE INDEX evidence_purge ON evidence (purge_at);
      CREATE TABLE frontdesk_sessions (
        id_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL);
      CREATE INDEX frontdesk_sessions_client ON frontdesk_sessions (client_id);
      CREATE INDEX frontdesk_sessions_expiry ON frontdesk_sessions (expires_at);
      CREATE TABLE verifier_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];
