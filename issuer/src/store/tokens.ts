import type { SqlExecutor } from '@shomei/shared';

export interface AccessTokenRow {
  token_hash: string;
  offer_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export async function insertAccessToken(sql: SqlExecutor, row: Omit<AccessTokenRow, 'used_at'>): Promise<void> {
  await sql.run('INSERT INTO access_tokens (token_hash, offer_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
    row.token_hash,
    row.offer_id,
    row.created_at,
    row.expires_at,
  ]);
}

/** The token if it exists, is unexpired and unused. */
export function findUsableAccessToken(sql: SqlExecutor, tokenHash: string, now: number): Promise<AccessTokenRow | undefined> {
  return sql.get<AccessTokenRow>('SELECT * FROM access_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [
    tokenHash,
    now,
  ]);
}

/** Spends the token (one credential request per token); false when it was spent or expired meanwhile. */
export async function useAccessToken(sql: SqlExecutor, tokenHash: string, now: number): Promise<boolean> {
  const result = await sql.run('UPDATE access_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [
    now,
    tokenHash,
    now,
  ]);
  return result.changes === 1;
}

export async function deleteExpiredAccessTokens(sql: SqlExecutor, now: number): Promise<void> {
  await sql.run('DELETE FROM access_tokens WHERE expires_at <= ?', [now]);
}
