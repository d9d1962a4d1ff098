import type { Db } from '@shomei/shared';

export interface AccessTokenRow {
  token_hash: string;
  offer_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export function insertAccessToken(db: Db, row: Omit<AccessTokenRow, 'used_at'>): void {
  db.prepare('INSERT INTO access_tokens (token_hash, offer_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
    row.token_hash,
    row.offer_id,
    row.created_at,
    row.expires_at,
  );
}

/** The token if it exists, is unexpired and unused. */
export function findUsableAccessToken(db: Db, tokenHash: string, now: number): AccessTokenRow | undefined {
  return db.prepare('SELECT * FROM access_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?').get(tokenHash, now) as
    | AccessTokenRow
    | undefined;
}

/** Spends the token (one credential request per token); false when it was spent or expired meanwhile. */
export function useAccessToken(db: Db, tokenHash: string, now: number): boolean {
  const result = db
    .prepare('UPDATE access_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?')
    .run(now, tokenHash, now);
  return result.changes === 1;
}

export function deleteExpiredAccessTokens(db: Db, now: number): void {
  db.prepare('DELETE FROM access_tokens WHERE expires_at <= ?').run(now);
}
