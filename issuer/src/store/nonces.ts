import type { Db } from '@shomei/shared';

export function insertNonce(db: Db, nonceHash: string, expiresAt: number): void {
  db.prepare('INSERT INTO nonces (nonce_hash, expires_at) VALUES (?, ?)').run(nonceHash, expiresAt);
}

/** Spends a nonce in one statement, so two requests cannot both use it. */
export function consumeNonce(db: Db, nonceHash: string, now: number): boolean {
  const result = db
    .prepare('UPDATE nonces SET used_at = ? WHERE nonce_hash = ? AND used_at IS NULL AND expires_at > ?')
    .run(now, nonceHash, now);
  return result.changes === 1;
}

export function deleteExpiredNonces(db: Db, now: number): void {
  db.prepare('DELETE FROM nonces WHERE expires_at <= ?').run(now);
}
