import type { AssuranceLevel, Db } from '@shomei/shared';

export interface OfferRow {
  id: string;
  code_hash: string;
  tx_code_hash: string | null;
  tx_attempts: number;
  identity_sealed: string;
  assurance_level: AssuranceLevel;
  evidence_type: string;
  evidence_method: string;
  sandbox: number;
  proofed_at: number;
  created_at: number;
  expires_at: number;
  redeemed_at: number | null;
  /** The application whose proofing this offer stands on (none for sandbox offers). */
  application_id: string | null;
}

export type NewOffer = Omit<OfferRow, 'tx_attempts' | 'redeemed_at' | 'application_id'> & { application_id?: string | null };

export function insertOffer(db: Db, offer: NewOffer): void {
  db.prepare(
    `INSERT INTO offers (id, code_hash, tx_code_hash, identity_sealed, assurance_level, evidence_type, evidence_method, sandbox,
       proofed_at, created_at, expires_at, application_id)
     VALUES (@id, @code_hash, @tx_code_hash, @identity_sealed, @assurance_level, @evidence_type, @evidence_method, @sandbox,
       @proofed_at, @created_at, @expires_at, @application_id)`,
  ).run({ application_id: null, ...offer });
}

export function findOfferByCodeHash(db: Db, codeHash: string): OfferRow | undefined {
  return db.prepare('SELECT * FROM offers WHERE code_hash = ?').get(codeHash) as OfferRow | undefined;
}

export function findOffer(db: Db, id: string): OfferRow | undefined {
  return db.prepare('SELECT * FROM offers WHERE id = ?').get(id) as OfferRow | undefined;
}

/**
 * Counts one wrong tx_code attempt, unless the code is already redeemed or dead. Returns the
 * attempts made so far, or undefined when nothing was counted.
 */
export function countWrongTxCode(db: Db, id: string, maxAttempts: number): number | undefined {
  const row = db
    .prepare(
      `UPDATE offers SET tx_attempts = tx_attempts + 1
       WHERE id = ? AND redeemed_at IS NULL AND tx_attempts < ? RETURNING tx_attempts`,
    )
    .get(id, maxAttempts) as { tx_attempts: number } | undefined;
  return row?.tx_attempts;
}

/** Marks the offer redeemed; false when another request redeemed it first, or it died or expired. */
export function redeemOffer(db: Db, id: string, now: number, maxAttempts: number): boolean {
  const result = db
    .prepare(
      `UPDATE offers SET redeemed_at = ?
       WHERE id = ? AND redeemed_at IS NULL AND tx_attempts < ? AND expires_at > ?`,
    )
    .run(now, id, maxAttempts, now);
  return result.changes === 1;
}
