import { hash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ClientRow, VerifierStore } from '../store/types.js';

export const SESSION_SECONDS = 8 * 3600;

/**
 * Front-desk sign-ins as server-side rows (issue 14, item 3). The cookie carries 256 random bits;
 * the database keeps only their SHA-256, so a copy of the database signs nobody in. A new id at every
 * sign-in (a planted cookie is never adopted), deleted by sign-out, by `client revoke` and
 * `client rotate-key`, and dead after 8 h whatever the browser keeps.
 */
export class FrontDeskSessions {
  /** `__Host-` on https: the browser then refuses the cookie from any subdomain or plain-http page. */
  private readonly cookie: string;

  constructor(
    private readonly store: Pick<VerifierStore, 'sessions' | 'clients'>,
    private readonly now: () => Date,
    private readonly secure: boolean,
  ) {
    this.cookie = secure ? '__Host-shomei_desk' : 'shomei_desk';
  }

  /** The signed-in client, or undefined (no cookie, unknown or expired session, revoked client). */
  async client(c: Context): Promise<ClientRow | undefined> {
    const id = getCookie(c, this.cookie);
    if (!id) return undefined;
    const row = await this.store.sessions.findLive(sessionIdHash(id), this.now().getTime());
    return row && this.store.clients.get(row.clientId);
  }

  /** Starts a session for `client`, ending the one this browser had (if any). */
  async start(c: Context, client: ClientRow): Promise<void> {
    await this.deleteRow(c);
    const t = this.now().getTime();
    await this.store.sessions.purgeExpired(t);
    const id = randomBytes(32).toString('base64url');
    await this.store.sessions.insert({
      idHash: sessionIdHash(id),
      clientId: client.id,
      createdAt: t,
      expiresAt: t + SESSION_SECONDS * 1000,
    });
    setCookie(c, this.cookie, id, { httpOnly: true, sameSite: 'Strict', secure: this.secure, path: '/', maxAge: SESSION_SECONDS });
  }

  /** Deletes this browser's session row and cookie. */
  async end(c: Context): Promise<void> {
    await this.deleteRow(c);
    deleteCookie(c, this.cookie, { path: '/', secure: this.secure });
  }

  private async deleteRow(c: Context): Promise<void> {
    const id = getCookie(c, this.cookie);
    if (id) await this.store.sessions.delete(sessionIdHash(id));
  }
}

export function sessionIdHash(id: string): string {
  return hash('sha256', id, 'hex');
}
