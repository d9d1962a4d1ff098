import { randomUUID } from 'node:crypto';
import { isUniqueViolation, ShomeiError, type SqlExecutor } from '@shomei/shared';
import { randomToken, sha256 } from '../lib/secrets.js';

/** What an admin token may do. */
export const ADMIN_SCOPES = ['review', 'issue', 'revoke', 'audit'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

export const ADMIN_TOKEN_PREFIX = 'shia_';

export interface AdminTokenRow {
  id: string;
  name: string;
  token_hash: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

export interface CreatedAdminToken {
  id: string;
  name: string;
  scopes: AdminScope[];
  /** Shown once; only its digest is stored. */
  token: string;
}

export function parseScopes(text: string): AdminScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new ShomeiError('invalid_request', `name at least one scope: ${ADMIN_SCOPES.join(', ')}`);
  for (const s of scopes) {
    if (!(ADMIN_SCOPES as readonly string[]).includes(s)) {
      throw new ShomeiError('invalid_request', `unknown scope ${JSON.stringify(s)}; scopes are ${ADMIN_SCOPES.join(', ')}`);
    }
  }
  return [...new Set(scopes)] as AdminScope[];
}

export async function createAdminToken(sql: SqlExecutor, now: Date, name: string, scopes: AdminScope[]): Promise<CreatedAdminToken> {
  if (!/^[\w.@-]{1,64}$/.test(name)) throw new ShomeiError('invalid_request', 'the token name must be 1-64 letters, digits, . _ @ or -');
  const id = randomUUID();
  const token = `${ADMIN_TOKEN_PREFIX}${randomToken()}`;
  // A name says who holds a token, in the audit log and for `token revoke <name>`: one live token per name.
  // PostgreSQL's schema also holds a unique index on live names, for two replicas at once.
  const taken = () =>
    new ShomeiError('conflict', `a token named ${name} exists; revoke it first (token revoke ${name}) or choose another name`);
  try {
    await sql.transaction(async (tx) => {
      if (await tx.get('SELECT 1 FROM admin_tokens WHERE name = ? AND revoked_at IS NULL', [name])) throw taken();
      await tx.run('INSERT INTO admin_tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)', [
        id,
        name,
        sha256(token),
        scopes.join(','),
        now.getTime(),
      ]);
    });
  } catch (e) {
    throw isUniqueViolation(e) ? taken() : e;
  }
  return { id, name, scopes, token };
}

export function listAdminTokens(sql: SqlExecutor): Promise<Omit<AdminTokenRow, 'token_hash'>[]> {
  return sql.all('SELECT id, name, scopes, created_at, revoked_at FROM admin_tokens ORDER BY created_at');
}

export async function revokeAdminToken(sql: SqlExecutor, idOrName: string, now: Date): Promise<number> {
  const result = await sql.run('UPDATE admin_tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL', [
    now.getTime(),
    idOrName,
    idOrName,
  ]);
  return result.changes;
}

export interface AdminPrincipal {
  tokenId: string;
  name: string;
  scopes: AdminScope[];
  /** The audit actor: `admin:<name>`. */
  actor: string;
}

/**
 * Finds the live token with this value (looked up by its digest, which is a keyed index into
 * 256-bit random values: no timing to learn from) and checks it holds `scope`.
 */
export async function authenticateAdmin(sql: SqlExecutor, token: string | undefined, scope: AdminScope): Promise<AdminPrincipal> {
  if (!token) throw new ShomeiError('unauthorized', 'the admin API requires a bearer token');
  const row = await sql.get<AdminTokenRow>('SELECT * FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL', [sha256(token)]);
  if (!row) throw new ShomeiError('unauthorized', 'the admin API requires a valid bearer token');
  const scopes = row.scopes.split(',') as AdminScope[];
  if (!scopes.includes(scope)) throw new ShomeiError('forbidden', `this token lacks the ${scope} scope`);
  return { tokenId: row.id, name: row.name, scopes, actor: `admin:${row.name}` };
}
