import type { AssuranceLevel, Db } from '@shomei/shared';

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

export function insertApplication(db: Db, a: NewApplication): void {
  db.prepare(
    `INSERT INTO applications (id, method, state, secret_hash, challenge_hash, challenge_expires_at, identity_sealed, created_at, updated_at)
     VALUES (@id, @method, @state, @secret_hash, @challenge_hash, @challenge_expires_at, @identity_sealed, @created_at, @created_at)`,
  ).run({ challenge_hash: null, challenge_expires_at: null, identity_sealed: null, ...a });
}

export function findApplication(db: Db, id: string): ApplicationRow | undefined {
  return db.prepare('SELECT * FROM applications WHERE id = ?').get(id) as ApplicationRow | undefined;
}

export function listApplications(db: Db, state: ApplicationState | undefined, limit: number): ApplicationRow[] {
  if (state) {
    return db.prepare('SELECT * FROM applications WHERE state = ? ORDER BY created_at LIMIT ?').all(state, limit) as ApplicationRow[];
  }
  return db.prepare('SELECT * FROM applications ORDER BY created_at DESC LIMIT ?').all(limit) as ApplicationRow[];
}

/** Spends the challenge in one statement: a second submission finds it used. */
export function spendChallenge(db: Db, id: string, now: number): boolean {
  return (
    db.prepare('UPDATE applications SET challenge_used_at = ?, updated_at = ? WHERE id = ? AND challenge_used_at IS NULL').run(now, now, id)
      .changes === 1
  );
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
export function transition(db: Db, id: string, from: ApplicationState[], now: number, d: Decision): boolean {
  const sets = ['state = @state', 'updated_at = @now'];
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
    if (d[k] !== undefined) sets.push(`${k} = @${k}`);
  }
  const final = d.state === 'approved' || d.state === 'rejected' || d.state === 'refused';
  if (final) sets.push('decided_at = @now');
  const params: Record<string, unknown> = { ...d, id, now };
  const placeholders = from.map((_, i) => `@from${i}`).join(', ');
  from.forEach((f, i) => {
    params[`from${i}`] = f;
  });
  return db.prepare(`UPDATE applications SET ${sets.join(', ')} WHERE id = @id AND state IN (${placeholders})`).run(params).changes === 1;
}

/**
 * Counts one refused document upload; the `max`-th closes the application as refused, in the same
 * transaction. Returns the count so far and whether this one closed it.
 */
export function countRefusedUpload(db: Db, id: string, max: number, now: number): { refused: number; closed: boolean } {
  return db.transaction(() => {
    const row = db
      .prepare(
        "UPDATE applications SET upload_failures = upload_failures + 1, updated_at = ? WHERE id = ? AND state = 'awaiting_documents' RETURNING upload_failures",
      )
      .get(now, id) as { upload_failures: number } | undefined;
    if (!row) return { refused: max, closed: false };
    const closed =
      row.upload_failures >= max &&
      transition(db, id, ['awaiting_documents'], now, {
        state: 'refused',
        reason: 'too_many_refused_uploads',
        decided_by: 'system',
        evidence: JSON.stringify({ code: 'too_many_refused_uploads' }),
      });
    return { refused: row.upload_failures, closed };
  })();
}

export function countOfferMade(db: Db, id: string, max: number): boolean {
  return (
    db.prepare("UPDATE applications SET offers_made = offers_made + 1 WHERE id = ? AND state = 'approved' AND offers_made < ?").run(id, max)
      .changes === 1
  );
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

export function upsertFile(db: Db, f: Omit<ApplicationFileRow, 'deleted_at'>): void {
  db.prepare(
    `INSERT INTO application_files (application_id, kind, media_type, size, sha256, path) VALUES (@application_id, @kind, @media_type, @size, @sha256, @path)
     ON CONFLICT (application_id, kind) DO UPDATE SET media_type = excluded.media_type, size = excluded.size, sha256 = excluded.sha256, path = excluded.path`,
  ).run(f);
}

export function filesOf(db: Db, applicationId: string): ApplicationFileRow[] {
  return db.prepare('SELECT * FROM application_files WHERE application_id = ? ORDER BY kind').all(applicationId) as ApplicationFileRow[];
}

export function markFilesDeleted(db: Db, applicationId: string, now: number): void {
  db.prepare('UPDATE application_files SET path = NULL, deleted_at = ? WHERE application_id = ? AND deleted_at IS NULL').run(
    now,
    applicationId,
  );
}

/** Credentials issued on offers of this application. */
export function credentialIdsOf(db: Db, applicationId: string): { id: string; status: string }[] {
  return db
    .prepare('SELECT c.id, c.status FROM credentials c JOIN offers o ON o.id = c.offer_id WHERE o.application_id = ? ORDER BY c.issued_at')
    .all(applicationId) as { id: string; status: string }[];
}
