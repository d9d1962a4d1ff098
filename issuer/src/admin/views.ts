import type { AssuranceLevel } from '@shomei/shared';
import type { CredentialRow, CredentialStatus } from '../store/credentials.js';

/**
 * `GET /v1/admin/credentials/:id`: what the issuer remembers about a credential it issued (no
 * personal value). The names and values are the API's, mapped from the storage row member by
 * member, so that a storage backend's column names cannot leak into the answer. The member order
 * is the one clients have seen so far.
 */
export interface AdminCredentialView {
  id: string;
  /** The offer redeemed for it; null for a credential a batch signed directly. */
  offer_id: string | null;
  /** Where its status is published: `<issuer>/status-lists/<status_list_id>`, entry `status_idx`. */
  status_list_id: string;
  status_idx: number;
  status: CredentialStatus;
  /** RFC 7638 thumbprint of the holder key it is bound to. */
  holder_jwk_thumbprint: string;
  assurance_level: AssuranceLevel;
  /** 1 for a sandbox credential, else 0. */
  sandbox: number;
  /** Epoch milliseconds. */
  issued_at: number;
  /** Epoch milliseconds. */
  expires_at: number;
  /** The reason given with its last status change; null when never changed. */
  status_reason: string | null;
  /** The batch job that signed it; null when issued online. */
  batch_job_id: string | null;
}

export function adminCredentialView(row: CredentialRow): AdminCredentialView {
  return {
    id: row.id,
    offer_id: row.offer_id,
    status_list_id: row.status_list_id,
    status_idx: row.status_idx,
    status: row.status,
    holder_jwk_thumbprint: row.holder_jwk_thumbprint,
    assurance_level: row.assurance_level,
    sandbox: row.sandbox,
    issued_at: row.issued_at,
    expires_at: row.expires_at,
    status_reason: row.status_reason,
    batch_job_id: row.batch_job_id,
  };
}
