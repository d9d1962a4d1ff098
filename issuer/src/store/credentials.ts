import type { AssuranceLevel, SqlExecutor } from '@shomei/shared';

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

export async function insertCredential(
  sql: SqlExecutor,
  row: Omit<CredentialRow, 'status' | 'status_reason' | 'batch_job_id'> & { offer_id: string },
): Promise<void> {
  await sql.run(
    `INSERT INTO credentials (id, offer_id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox,
       issued_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.id,
      row.offer_id,
      row.status_list_id,
      row.status_idx,
      row.holder_jwk_thumbprint,
      row.assurance_level,
      row.sandbox,
      row.issued_at,
      row.expires_at,
    ],
  );
}

export function findCredential(sql: SqlExecutor, id: string): Promise<CredentialRow | undefined> {
  return sql.get<CredentialRow>('SELECT * FROM credentials WHERE id = ?', [id]);
}

export function findCredentialsByOffer(sql: SqlExecutor, offerId: string): Promise<CredentialRow[]> {
  return sql.all<CredentialRow>('SELECT * FROM credentials WHERE offer_id = ? ORDER BY issued_at', [offerId]);
}

export async function updateCredentialStatus(sql: SqlExecutor, id: string, status: CredentialStatus): Promise<void> {
  await sql.run('UPDATE credentials SET status = ? WHERE id = ?', [status, id]);
}

/** Records why the credential's status was last changed (null: no reason given). */
export async function setCredentialStatusReason(sql: SqlExecutor, id: string, reason: string | null): Promise<void> {
  await sql.run('UPDATE credentials SET status_reason = ? WHERE id = ?', [reason, id]);
}

export function findCredentialByStatusIndex(sql: SqlExecutor, listId: string, idx: number): Promise<CredentialRow | undefined> {
  return sql.get<CredentialRow>('SELECT * FROM credentials WHERE status_list_id = ? AND status_idx = ?', [listId, idx]);
}
