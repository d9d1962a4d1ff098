import { type Db, keyStoreMigrations, leaseMigration, type Migration } from '@shomei/shared';
import { IndexBitmap } from '../lib/bitmap.js';

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

/**
 * Identity proofing, operators and the audit trail. Applications keep the typed or proven identity
 * sealed under the key vault; uploaded images live as files until the decision and only their
 * digests stay; admin tokens are stored as digests; the audit log is append-only (triggers) and
 * hash-chained (each row's hash covers the previous row's hash).
 */
const proofingTables: Migration = {
  id: 'issuer-002-proofing',
  sql: `
    CREATE TABLE applications (
      id TEXT PRIMARY KEY,
      method TEXT NOT NULL,
      state TEXT NOT NULL,
      secret_hash TEXT NOT NULL,
      challenge_hash TEXT,
      challenge_expires_at INTEGER,
      challenge_used_at INTEGER,
      identity_sealed TEXT,
      assurance_level TEXT,
      evidence TEXT NOT NULL DEFAULT '{}',
      cert_issuer TEXT,
      cert_serial TEXT,
      upstream_ref TEXT UNIQUE,
      reason TEXT,
      offers_made INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      decided_at INTEGER,
      decided_by TEXT);
    CREATE INDEX applications_state ON applications(state, created_at);
    CREATE INDEX applications_cert ON applications(cert_issuer, cert_serial);
    CREATE TABLE application_files (
      application_id TEXT NOT NULL REFERENCES applications(id),
      kind TEXT NOT NULL,
      media_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      path TEXT,
      deleted_at INTEGER,
      PRIMARY KEY (application_id, kind));
    ALTER TABLE offers ADD COLUMN application_id TEXT REFERENCES applications(id);
    ALTER TABLE credentials ADD COLUMN status_reason TEXT;
    CREATE TABLE admin_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      scopes TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER);
    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT,
      data TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
};

/**
 * Batch jobs and their records. A job is keyed by (mode, input file, output folder), so running
 * the same command again resumes it; `batch_records` makes issuance idempotent by external id
 * across jobs. Direct-mode credentials have no offer, so `credentials.offer_id` becomes nullable:
 * SQLite cannot relax NOT NULL in place, so the table is rebuilt with the same rows, from the
 * definition issuer-001 and issuer-002 gave it (this migration always runs right after them), and
 * gains `batch_job_id`. No index is on `credentials` at this point but its PRIMARY KEY and UNIQUE.
 */
const batchTables: Migration = {
  id: 'issuer-010-batch',
  sql: `
    CREATE TABLE batch_jobs (
      id TEXT PRIMARY KEY,
      mode TEXT NOT NULL,
      input TEXT NOT NULL,
      out_dir TEXT NOT NULL,
      total_lines INTEGER,
      next_line INTEGER NOT NULL DEFAULT 1,
      out_bytes INTEGER NOT NULL DEFAULT 0,
      err_bytes INTEGER NOT NULL DEFAULT 0,
      issued INTEGER NOT NULL DEFAULT 0,
      skipped INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      started_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER);
    CREATE TABLE batch_records (
      external_id TEXT PRIMARY KEY,
      job_id TEXT NOT NULL REFERENCES batch_jobs(id),
      line INTEGER NOT NULL,
      credential_id TEXT,
      offer_id TEXT,
      created_at INTEGER NOT NULL);
    PRAGMA defer_foreign_keys = ON;
    CREATE TABLE credentials_rebuilt (
      id TEXT PRIMARY KEY,
      offer_id TEXT REFERENCES offers(id),
      status_list_id TEXT NOT NULL REFERENCES status_lists(id),
      status_idx INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'valid',
      holder_jwk_thumbprint TEXT NOT NULL,
      assurance_level TEXT NOT NULL,
      sandbox INTEGER NOT NULL,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      status_reason TEXT,
      batch_job_id TEXT REFERENCES batch_jobs(id),
      UNIQUE (status_list_id, status_idx));
    INSERT INTO credentials_rebuilt (id, offer_id, status_list_id, status_idx, status, holder_jwk_thumbprint, assurance_level,
        sandbox, issued_at, expires_at, status_reason)
      SELECT id, offer_id, status_list_id, status_idx, status, holder_jwk_thumbprint, assurance_level,
        sandbox, issued_at, expires_at, status_reason FROM credentials;
    DROP TABLE credentials;
    ALTER TABLE credentials_rebuilt RENAME TO credentials;
  `,
};

/** Refused document uploads per application: a few, then the application is closed. */
const uploadFailures: Migration = {
  id: 'issuer-011-upload-failures',
  sql: 'ALTER TABLE applications ADD COLUMN upload_failures INTEGER NOT NULL DEFAULT 0;',
};

/**
 * Each status list's reserved indexes, one bit per entry (status/allocator.ts): every allocator on
 * the database reads and writes it under SQLite's write lock, so none hands out an index another
 * already gave. Filled from the credentials recorded so far.
 */
const statusReservations: Migration = {
  id: 'issuer-012-status-reservations',
  sql: 'ALTER TABLE status_lists ADD COLUMN reserved BLOB;',
  run: reserveRecordedIndexes,
};

/** Synchronous, as SQLite migrations run: reserves every index a recorded credential holds. */
function reserveRecordedIndexes(db: Db): void {
  const rows = db.prepare('SELECT id, size FROM status_lists ORDER BY rowid').all() as { id: string; size: number }[];
  const lists = new Map(rows.map((l) => [l.id, new IndexBitmap(l.size)]));
  const held = db.prepare('SELECT status_list_id AS listId, status_idx AS idx FROM credentials').iterate() as Iterable<{
    listId: string;
    idx: number;
  }>;
  for (const { listId, idx } of held) lists.get(listId)?.set(idx);
  const save = db.prepare('UPDATE status_lists SET reserved = ? WHERE id = ?');
  for (const [id, reserved] of lists) save.run(Buffer.from(reserved.bytes), id);
}

/**
 * Database leases (shared/src/sql/leases.ts: a batch job's run, and any job one replica at a time
 * must do) and the chunks of a batch several workers share (`shomei-issuer batch --worker`): each
 * chunk is a range of the input's lines, claimed by one worker at a time under a claim lease; a
 * claim whose lease ran out (its worker died) is claimed again. A chunk's output lines are kept,
 * sealed, with the chunk until the job's outputs are assembled: they commit with its records, so a
 * chunk done twice never writes twice.
 */
const batchChunks: Migration = {
  id: 'issuer-013-leases-batch-chunks',
  sql: `
    ${leaseMigration.sql};
    CREATE TABLE batch_chunks (
      job_id TEXT NOT NULL REFERENCES batch_jobs(id),
      chunk_no INTEGER NOT NULL,
      first_line INTEGER NOT NULL,
      line_count INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      claimed_by TEXT,
      lease_expires_at INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      out_sealed TEXT,
      err_sealed TEXT,
      issued INTEGER NOT NULL DEFAULT 0,
      skipped INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (job_id, chunk_no));
    CREATE INDEX batch_chunks_state ON batch_chunks (job_id, state, chunk_no);
  `,
};

/**
 * Request counts per key (client address and endpoint) in fixed windows (http/rate-limit.ts): in
 * the database, so that every replica counts against one budget.
 */
const rateLimits: Migration = {
  id: 'issuer-014-rate-limits',
  sql: `
    CREATE TABLE rate_limits (
      key TEXT PRIMARY KEY,
      window_start INTEGER NOT NULL,
      count INTEGER NOT NULL);
    CREATE INDEX rate_limits_window ON rate_limits(window_start);
  `,
};

/**
 * The audit chain's head (newest seq and hash) in one row that every append locks and moves
 * (audit/audit-log.ts): appenders on several replicas queue on it rather than both reading the same
 * predecessor. Filled from the log so far.
 */
const auditHead: Migration = {
  id: 'issuer-015-audit-head',
  sql: `
    CREATE TABLE audit_head (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL,
      hash TEXT NOT NULL);
    INSERT INTO audit_head (id, seq, hash)
      SELECT 1, COALESCE(MAX(seq), 0),
        COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${'0'.repeat(64)}') FROM audit_log;
  `,
};

export const issuerMigrations: readonly Migration[] = [
  ...keyStoreMigrations,
  issuerTables,
  proofingTables,
  batchTables,
  uploadFailures,
  statusReservations,
  batchChunks,
  rateLimits,
  auditHead,
];
