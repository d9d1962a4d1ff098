import { leaseMigration, type SqlMigration } from '@shomei/shared';

/**
 * PostgreSQL baseline of the tables identity proofing and batch issuance own, derived from the
 * final SQLite schema (issuer-002 applications/application_files with issuer-011's
 * upload_failures, issuer-010 batch_jobs/batch_records, issuer-013 leases/batch_chunks): times
 * and counters BIGINT, the same names and constraints.
 *
 * It references no core table, so it may run before or after the core's baseline. Two core
 * columns point here, though: `offers.application_id → applications(id)` and
 * `credentials.batch_job_id → batch_jobs(id)`. If the core baseline declares those foreign keys,
 * this list must run first; otherwise the core list runs first and the foreign keys are added
 * after both (the lead decides when concatenating).
 *
 * `leases` is created IF NOT EXISTS (shared DDL): another list may create it too.
 */
export const proofingBatchPostgresMigrations: readonly SqlMigration[] = [
  {
    id: 'issuer-pg-002-proofing-batch',
    sql: `
      ${leaseMigration.sql};
      CREATE TABLE applications (
        id TEXT PRIMARY KEY,
        method TEXT NOT NULL,
        state TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        challenge_hash TEXT,
        challenge_expires_at BIGINT,
        challenge_used_at BIGINT,
        identity_sealed TEXT,
        assurance_level TEXT,
        evidence TEXT NOT NULL DEFAULT '{}',
        cert_issuer TEXT,
        cert_serial TEXT,
        upstream_ref TEXT UNIQUE,
        reason TEXT,
        offers_made BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        decided_at BIGINT,
        decided_by TEXT,
        upload_failures BIGINT NOT NULL DEFAULT 0);
      CREATE INDEX applications_state ON applications (state, created_at);
      CREATE INDEX applications_cert ON applications (cert_issuer, cert_serial);
      CREATE TABLE application_files (
        application_id TEXT NOT NULL REFERENCES applications(id),
        kind TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size BIGINT NOT NULL,
        sha256 TEXT NOT NULL,
        path TEXT,
        deleted_at BIGINT,
        PRIMARY KEY (application_id, kind));
      CREATE TABLE batch_jobs (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        input TEXT NOT NULL,
        out_dir TEXT NOT NULL,
        total_lines BIGINT,
        next_line BIGINT NOT NULL DEFAULT 1,
        out_bytes BIGINT NOT NULL DEFAULT 0,
        err_bytes BIGINT NOT NULL DEFAULT 0,
        issued BIGINT NOT NULL DEFAULT 0,
        skipped BIGINT NOT NULL DEFAULT 0,
        errors BIGINT NOT NULL DEFAULT 0,
        started_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        finished_at BIGINT);
      CREATE TABLE batch_records (
        external_id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES batch_jobs(id),
        line BIGINT NOT NULL,
        credential_id TEXT,
        offer_id TEXT,
        created_at BIGINT NOT NULL);
      CREATE TABLE batch_chunks (
        job_id TEXT NOT NULL REFERENCES batch_jobs(id),
        chunk_no BIGINT NOT NULL,
        first_line BIGINT NOT NULL,
        line_count BIGINT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        claimed_by TEXT,
        lease_expires_at BIGINT,
        attempts BIGINT NOT NULL DEFAULT 0,
        out_sealed TEXT,
        err_sealed TEXT,
        issued BIGINT NOT NULL DEFAULT 0,
        skipped BIGINT NOT NULL DEFAULT 0,
        errors BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, chunk_no));
      CREATE INDEX batch_chunks_state ON batch_chunks (job_id, state, chunk_no);
    `,
  },
];
