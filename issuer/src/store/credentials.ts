import type { AssuranceLevel, Db } from '@shomei/shared';

export type CredentialStatus = 'valid' | 'revoked' | 'suspended';

/** What the issuer remembers about a credential it issued: no personal value. */
export interface CredentialRow {
  id: string;
  /** The offer redeemed for it; none for a credential signed directly by a batch. */
  offer_id: string | null;
  status_list_id: string;
  status_idx: number;
  status: CredentialStatus;
  holder_jwk_thumbprint: string;
  assurance_level: AssuranceLevel;
  sandbox: number;
  issued_at: number;
  expires_at: number;
  /** Why its status was last changed, as the operator said. */
  status_reason: string | null;
  /** The batch job that signed it directly (mode direct). */
  batch_job_id: string | null;
}

export function insertCredential(
  db: Db,
  row: Omit<CredentialRow, 'status' | 'status_reason' | 'batch_job_id'> & { offer_id: string },
): void {
  db.prepare(
    `INSERT INTO credentials (id, offer_id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox,
       issued_at, expires_at)
     VALUES (@id, @offer_id, @status_list_id, @status_idx, @holder_jwk_thumbprint, @assurance_level, @sandbox,
       @issued_at, @expires_at)`,
  ).run(row);
}

export function findCredential(db: Db, id: string): CredentialRow | undefined {
  return db.prepare('SELECT * FROM credentials WHERE id = ?').get(id) as CredentialRow | undefined;
}

export function findCredentialsByOffer(db: Db, offerId: string): CredentialRow[] {
  return db.prepare('SELECT * FROM credentials WHERE offer_id = ? ORDER BY issued_at').all(offerId) as CredentialRow[];
}

export function updateCredentialStatus(db: Db, id: string, status: CredentialStatus): void {
  db.prepare('UPDATE credentials SET status = ? WHERE id = ?').run(status, id);
}

export function findCredentialByStatusIndex(db: Db, listId: string, idx: number): CredentialRow | undefined {
  return db.prepare('SELECT * FROM credentials WHERE status_list_id = ? AND status_idx = ?').get(listId, idx) as CredentialRow | undefined;
}
