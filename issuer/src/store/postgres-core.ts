import type { SqlMigration } from '@shomei/shared';

/**
 * The PostgreSQL baseline of the issuer's core tables: the final SQLite schema of migrations.ts
 * (issuer-001 … issuer-012) for offers, access tokens, nonces, status lists, credentials, admin
 * tokens and the audit log, in PostgreSQL DDL (BIGINT times and counters, BYTEA bitmaps). Plus the
 * tables the port conversion adds: `rate_limits` and `audit_head` (the chain head every append locks).
 * The columns that point at proofing and batch tables (`offers.application_id`,
 * `credentials.batch_job_id`) carry no foreign key here: those tables come with their own baseline.
 */
const core: SqlMigration = {
  id: 'issuer-pg-001-core',
  sql: `
    CREATE TABLE offers (
      id TEXT PRIMARY KEY,
      code_hash TEXT NOT NULL UNIQUE,
      tx_code_hash TEXT,
      tx_attempts BIGINT NOT NULL DEFAULT 0,
      identity_sealed TEXT NOT NULL,
      assurance_level TEXT NOT NULL,
      evidence_type TEXT NOT NULL,
      evidence_method TEXT NOT NULL,
      sandbox BIGINT NOT NULL,
      proofed_at BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      redeemed_at BIGINT,
      application_id TEXT);
    CREATE TABLE access_tokens (
      token_hash TEXT PRIMARY KEY,
      offer_id TEXT NOT NULL REFERENCES offers(id),
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      used_at BIGINT);
    CREATE INDEX access_tokens_expiry ON access_tokens(expires_at);
    CREATE TABLE nonces (
      nonce_hash TEXT PRIMARY KEY,
      expires_at BIGINT NOT NULL,
      used_at BIGINT);
    CREATE INDEX nonces_expiry ON nonces(expires_at);
    CREATE TABLE status_lists (
      id TEXT PRIMARY KEY,
      bits BIGINT NOT NULL,
      size BIGINT NOT NULL,
      list BYTEA NOT NULL,
      version BIGINT NOT NULL DEFAULT 0,
      updated_at BIGINT NOT NULL,
      reserved BYTEA);
    CREATE TABLE credentials (
      id TEXT PRIMARY KEY,
      offer_id TEXT REFERENCES offers(id),
      status_list_id TEXT NOT NULL REFERENCES status_lists(id),
      status_idx BIGINT NOT NULL,
      status TEXT NOT NULL DEFAULT 'valid',
      holder_jwk_thumbprint TEXT NOT NULL,
      assurance_level TEXT NOT NULL,
      sandbox BIGINT NOT NULL,
      issued_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      status_reason TEXT,
      batch_job_id TEXT,
      UNIQUE (status_list_id, status_idx));
    CREATE TABLE admin_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      scopes TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      revoked_at BIGINT);
    CREATE UNIQUE INDEX admin_tokens_live_name ON admin_tokens (name) WHERE revoked_at IS NULL;
    CREATE TABLE audit_log (
      seq BIGINT PRIMARY KEY,
      at BIGINT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT,
      data TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL);
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TABLE audit_head (
      id BIGINT PRIMARY KEY CHECK (id = 1),
      seq BIGINT NOT NULL,
      hash TEXT NOT NULL);
    INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
    CREATE TABLE rate_limits (
      key TEXT PRIMARY KEY,
      window_start BIGINT NOT NULL,
      count BIGINT NOT NULL);
    CREATE INDEX rate_limits_window ON rate_limits(window_start);
  `,
};

export const issuerCorePostgresMigrations: readonly SqlMigration[] = [core];
