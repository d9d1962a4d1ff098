import { randomUUID } from 'node:crypto';
import { type Db, ShomeiError } from '@shomei/shared';
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

export function createAdminToken(db: Db, now: Date, name: string, scopes: AdminScope[]): CreatedAdminToken {
  if (!/^[\w.@-]{1,64}$/.test(name)) throw new ShomeiError('invalid_request', 'the token name must be 1-64 letters, digits, . _ @ or -');
  const id = randomUUID();
  const token = `${ADMIN_TOKEN_PREFIX}${randomToken()}`;
  // A name says who holds a token, in the audit log and for `token revoke <name>`: one live token per name.
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM admin_tokens WHERE name = ? AND revoked_at IS NULL').get(name)) {
      throw new ShomeiError('conflict', `a token named ${name} exists; revoke it first (token revoke ${name}) or choose another name`);
    }
    db.prepare('INSERT INTO admin_tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      name,
      sha256(token),
      scopes.join(','),
      now.getTime(),
    );
  })();
  return { id, name, scopes, token };
}

export function listAdminTokens(db: Db): Omit<AdminTokenRow, 'token_hash'>[] {
  return db.prepare('SELECT id, name, scopes, created_at, revoked_at FROM admin_tokens ORDER BY created_at').all() as Omit<
    AdminTokenRow,
    'token_hash'
  >[];
}

export function revokeAdminToken(db: Db, idOrName: string, now: Date): number {
  return db
    .prepare('UPDATE admin_tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL')
    .run(now.getTime(), idOrName, idOrName).changes;
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
export function authenticateAdmin(db: Db, token: string | undefined, scope: AdminScope): AdminPrincipal {
  if (!token) throw new ShomeiError('unauthorized', 'the admin API requires a bearer token');
  const row = db.prepare('SELECT * FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(sha256(token)) as
    | AdminTokenRow
    | undefined;
  if (!row) throw new ShomeiError('unauthorized', 'the admin API requires a valid bearer token');
  const scopes = row.scopes.split(',') as AdminScope[];
  if (!scopes.includes(scope)) throw new ShomeiError('forbidden', `this token lacks the ${scope} scope`);
  return { tokenId: row.id, name: row.name, scopes, actor: `admin:${row.name}` };
}
