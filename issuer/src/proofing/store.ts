import type { AssuranceLevel, SqlExecutor, SqlValue } from '@shomei/shared';

// The tables are made by the issuer's migrations (store/migrations.ts: issuer-002-proofing and
// later; PostgreSQL: batch/postgres-schema.ts). Every function takes an executor, the database or
// a transaction on it, and uses SQL both dialects run.

export const PROOFING_METHODS = ['jpki', 'document', 'reliance'] as const;
export type ProofingMethod = (typeof PROOFING_METHODS)[number];

export type ApplicationState = 'awaiting_signature' | 'awaiting_documents' | 'pending_review' | 'approved' | 'rejected' | 'refused';

export interface ApplicationRow {
  id: string;
  method: ProofingMethod;
  state: ApplicationState;
  secret_hash: string;
  challenge_hash: string | null;
  challenge_expires_at: number | null;
  challenge_used_at: number | null;
  identity_sealed: string | null;
  assurance_level: AssuranceLevel | null;
  /** JSON, non-personal: certificate fingerprint, image digests, upstream id, refusal code. */
  evidence: string;
  cert_issuer: string | null;
  cert_serial: string | null;
  upstream_ref: string | null;
  reason: string | null;
  offers_made: number;
  /** Refused document uploads so far (see MAX_REFUSED_UPLOADS). */
  upload_failures: number;
  created_at: number;
  updated_at: number;
  decided_at: number | null;
  decided_by: string | null;
}

export type NewApplication = Pick<ApplicationRow, 'id' | 'method' | 'state' | 'secret_hash' | 'created_at'> &
  Partial<Pick<ApplicationRow, 'challenge_hash' | 'challenge_expires_at' | 'identity_sealed'>>;

export async function insertApplication(db: SqlExecutor, a: NewApplication): Promise<void> {
  await db.run(
    `INSERT INTO applications (id, method, state, secret_hash, challenge_hash, challenge_expires_at, identity_sealed, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      a.id,
      a.method,
      a.state,
      a.secret_hash,
      a.challenge_hash ?? null,
      a.challenge_expires_at ?? null,
      a.identity_sealed ?? null,
      a.created_at,
      a.created_at,
    ],
  );
}

export function findApplication(db: SqlExecutor, id: string): Promise<ApplicationRow | undefined> {
  return db.get<ApplicationRow>('SELECT * FROM applications WHERE id = ?', [id]);
}

/** The application an upstream assertion (its `iss` and `jti`) already opened, if any. */
export function findApplicationByUpstreamRef(db: SqlExecutor, ref: string): Promise<{ id: string } | undefined> {
  return db.get<{ id: string }>('SELECT id FROM applications WHERE upstream_ref = ?', [ref]);
}

export function listApplications(db: SqlExecutor, state: ApplicationState | undefined, limit: number): Promise<ApplicationRow[]> {
  if (state) {
    return db.all<ApplicationRow>('SELECT * FROM applications WHERE state = ? ORDER BY created_at LIMIT ?', [state, limit]);
  }
  return db.all<ApplicationRow>('SELECT * FROM applications ORDER BY created_at DESC LIMIT ?', [limit]);
}

/** Spends the challenge in one statement: a second submission (on any replica) finds it used. */
export async function spendChallenge(db: SqlExecutor, id: string, now: number): Promise<boolean> {
  const r = await db.run('UPDATE applications SET challenge_used_at = ?, updated_at = ? WHERE id = ? AND challenge_used_at IS NULL', [
    now,
    now,
    id,
  ]);
  return r.changes === 1;
}

export interface Decision {
  state: ApplicationState;
  identity_sealed?: string | null;
  assurance_level?: AssuranceLevel | null;
  evidence?: string;
  cert_issuer?: string | null;
  cert_serial?: string | null;
  upstream_ref?: string | null;
  reason?: string | null;
  decided_by?: string | null;
}

/** Moves an application from one of `from` to a new state; false when it was not in one of them. */
export async function transition(db: SqlExecutor, id: string, from: ApplicationState[], now: number, d: Decision): Promise<boolean> {
  const sets = ['state = ?', 'updated_at = ?'];
  const params: SqlValue[] = [d.state, now];
  for (const k of [
    'identity_sealed',
    'assurance_level',
    'evidence',
    'cert_issuer',
    'cert_serial',
    'upstream_ref',
    'reason',
    'decided_by',
  ] as const) {
    const v = d[k];
    if (v !== undefined) {
      sets.push(`${k} = ?`);
      params.push(v);
    }
  }
  const final = d.state === 'approved' || d.state === 'rejected' || d.state === 'refused';
  if (final) {
    sets.push('decided_at = ?');
    params.push(now);
  }
  const placeholders = from.map(() => '?').join(', ');
  const r = await db.run(`UPDATE applications SET ${sets.join(', ')} WHERE id = ? AND state IN (${placeholders})`, [
    ...params,
    id,
    ...from,
  ]);
  return r.changes === 1;
}

/** What an application closed for too many refused uploads records. */
const TOO_MANY_REFUSED = 'too_many_refused_uploads';

/**
 * Counts one refused document upload; the `max`-th closes the application as refused, in the same
 * statement (so two refused uploads at once, on any replicas, count twice and close it once).
 * Returns the count so far and whether this one closed it. The SET expressions read the row as it
 * was before the update, in both dialects; RETURNING gives it as it is after.
 */
export async function countRefusedUpload(
  db: SqlExecutor,
  id: string,
  max: number,
  now: number,
): Promise<{ refused: number; closed: boolean }> {
  const closes = 'upload_failures + 1 >= ?';
  const row = await db.get<{ upload_failures: number; state: ApplicationState }>(
    `UPDATE applications SET
       upload_failures = upload_failures + 1,
       updated_at = ?,
       state = CASE WHEN ${closes} THEN 'refused' ELSE state END,
       reason = CASE WHEN ${closes} THEN '${TOO_MANY_REFUSED}' ELSE reason END,
       decided_by = CASE WHEN ${closes} THEN 'system' ELSE decided_by END,
       evidence = CASE WHEN ${closes} THEN ? ELSE evidence END,
       decided_at = CASE WHEN ${closes} THEN ? ELSE decided_at END
     WHERE id = ? AND state = 'awaiting_documents'
     RETURNING upload_failures, state`,
    [now, max, max, max, max, JSON.stringify({ code: TOO_MANY_REFUSED }), max, now, id],
  );
  if (!row) return { refused: max, closed: false };
  return { refused: row.upload_failures, closed: row.state === 'refused' };
}

/** Counts one more offer on an approved application, in one statement: false once `max` were made. */
export async function countOfferMade(db: SqlExecutor, id: string, max: number): Promise<boolean> {
  const r = await db.run("UPDATE applications SET offers_made = offers_made + 1 WHERE id = ? AND state = 'approved' AND offers_made < ?", [
    id,
    max,
  ]);
  return r.changes === 1;
}

export interface ApplicationFileRow {
  application_id: string;
  kind: string;
  media_type: string;
  size: number;
  sha256: string;
  path: string | null;
  deleted_at: number | null;
}

export async function upsertFile(db: SqlExecutor, f: Omit<ApplicationFileRow, 'deleted_at'>): Promise<void> {
  await db.run(
    `INSERT INTO application_files (application_id, kind, media_type, size, sha256, path) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (application_id, kind) DO UPDATE SET media_type = excluded.media_type, size = excluded.size, sha256 = excluded.sha256, path = excluded.path`,
    [f.application_id, f.kind, f.media_type, f.size, f.sha256, f.path],
  );
}

export function filesOf(db: SqlExecutor, applicationId: string): Promise<ApplicationFileRow[]> {
  return db.all<ApplicationFileRow>('SELECT * FROM application_files WHERE application_id = ? ORDER BY kind', [applicationId]);
}

export async function markFilesDeleted(db: SqlExecutor, applicationId: string, now: number): Promise<void> {
  await db.run('UPDATE application_files SET path = NULL, deleted_at = ? WHERE application_id = ? AND deleted_at IS NULL', [
    now,
    applicationId,
  ]);
}

/** Credentials issued on offers of this application. */
export function credentialIdsOf(db: SqlExecutor, applicationId: string): Promise<{ id: string; status: string }[]> {
  return db.all<{ id: string; status: string }>(
    'SELECT c.id, c.status FROM credentials c JOIN offers o ON o.id = c.offer_id WHERE o.application_id = ? ORDER BY c.issued_at',
    [applicationId],
  );
}
