import { keyStoreMigrations, type Migration } from '@shomei/shared';

/**
 * The issuer's tables. Times are epoch milliseconds. Codes, tokens and nonces are stored as
 * SHA-256 digests only; the identity record is sealed under the key vault; the credentials
 * table holds no personal value.
 */
const issuerTables: Migration = {
  id: 'issuer-001-oid4vci',
  sql: `
    CREATE TABLE offers (
      id TEXT PRIMARY KEY,
      code_hash TEXT NOT NULL UNIQUE,
      tx_code_hash TEXT,
      tx_attempts INTEGER NOT NULL DEFAULT 0,
      identity_sealed TEXT NOT NULL,
      assurance_level TEXT NOT NULL,
      evidence_type TEXT NOT NULL,
      evidence_method TEXT NOT NULL,
      sandbox INTEGER NOT NULL,
      proofed_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      redeemed_at INTEGER);
    CREATE TABLE access_tokens (
      token_hash TEXT PRIMARY KEY,
      offer_id TEXT NOT NULL REFERENCES offers(id),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER);
    CREATE INDEX access_tokens_expiry ON access_tokens(expires_at);
    CREATE TABLE nonces (
      nonce_hash TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL,
      used_at INTEGER);
    CREATE INDEX nonces_expiry ON nonces(expires_at);
    CREATE TABLE status_lists (
      id TEXT PRIMARY KEY,
      bits INTEGER NOT NULL,
      size INTEGER NOT NULL,
      list BLOB NOT NULL,
      version INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL);
    CREATE TABLE credentials (
      id TEXT PRIMARY KEY,
      offer_id TEXT NOT NULL REFERENCES offers(id),
      status_list_id TEXT NOT NULL REFERENCES status_lists(id),
      status_idx INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'valid',
      holder_jwk_thumbprint TEXT NOT NULL,
      assurance_level TEXT NOT NULL,
      sandbox INTEGER NOT NULL,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      UNIQUE (status_list_id, status_idx));
  `,
};

export const issuerMigrations: readonly Migration[] = [...keyStoreMigrations, issuerTables];
