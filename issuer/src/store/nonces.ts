import type { SqlExecutor } from '@shomei/shared';

export async function insertNonce(sql: SqlExecutor, nonceHash: string, expiresAt: number): Promise<void> {
  await sql.run('INSERT INTO nonces (nonce_hash, expires_at) VALUES (?, ?)', [nonceHash, expiresAt]);
}

/** Spends a nonce in one statement, so two requests (on any replica) cannot both use it. */
export async function consumeNonce(sql: SqlExecutor, nonceHash: string, now: number): Promise<boolean> {
  const result = await sql.run('UPDATE nonces SET used_at = ? WHERE nonce_hash = ? AND used_at IS NULL AND expires_at > ?', [
    now,
    nonceHash,
    now,
  ]);
  return result.changes === 1;
}

export async function deleteExpiredNonces(sql: SqlExecutor, now: number): Promise<void> {
  await sql.run('DELETE FROM nonces WHERE expires_at <= ?', [now]);
}
