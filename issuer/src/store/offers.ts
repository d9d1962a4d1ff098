import type { AssuranceLevel, SqlExecutor, SqlValue } from '@shomei/shared';

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

const INSERT_OFFER = `INSERT INTO offers (id, code_hash, tx_code_hash, identity_sealed, assurance_level, evidence_type, evidence_method,
    sandbox, proofed_at, created_at, expires_at, application_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function offerParams(offer: NewOffer): SqlValue[] {
  return [
    offer.id,
    offer.code_hash,
    offer.tx_code_hash,
    offer.identity_sealed,
    offer.assurance_level,
    offer.evidence_type,
    offer.evidence_method,
    offer.sandbox,
    offer.proofed_at,
    offer.created_at,
    offer.expires_at,
    offer.application_id ?? null,
  ];
}

export async function insertOffer(sql: SqlExecutor, offer: NewOffer): Promise<void> {
  await sql.run(INSERT_OFFER, offerParams(offer));
}

export function findOfferByCodeHash(sql: SqlExecutor, codeHash: string): Promise<OfferRow | undefined> {
  return sql.get<OfferRow>('SELECT * FROM offers WHERE code_hash = ?', [codeHash]);
}

export function findOffer(sql: SqlExecutor, id: string): Promise<OfferRow | undefined> {
  return sql.get<OfferRow>('SELECT * FROM offers WHERE id = ?', [id]);
}

/**
 * Counts one wrong tx_code attempt, unless the code is already redeemed or dead: one conditional
 * UPDATE, so concurrent wrong guesses on any replica each count and none goes past the budget.
 * Returns the attempts made so far, or undefined when nothing was counted.
 */
export async function countWrongTxCode(sql: SqlExecutor, id: string, maxAttempts: number): Promise<number | undefined> {
  const row = await sql.get<{ tx_attempts: number }>(
    `UPDATE offers SET tx_attempts = tx_attempts + 1
     WHERE id = ? AND redeemed_at IS NULL AND tx_attempts < ? RETURNING tx_attempts`,
    [id, maxAttempts],
  );
  return row?.tx_attempts;
}

/**
 * Marks the offer redeemed in one conditional UPDATE (exactly one winner across replicas); false
 * when another request redeemed it first, or it died or expired.
 */
export async function redeemOffer(sql: SqlExecutor, id: string, now: number, maxAttempts: number): Promise<boolean> {
  const result = await sql.run(
    `UPDATE offers SET redeemed_at = ?
     WHERE id = ? AND redeemed_at IS NULL AND tx_attempts < ? AND expires_at > ?`,
    [now, id, maxAttempts, now],
  );
  return result.changes === 1;
}
