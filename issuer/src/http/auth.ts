import { ShomeiError } from '@shomei/shared';
import type { Context } from 'hono';
import { secretEquals } from '../lib/secrets.js';

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (!header) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return match?.[1];
}

/** Refuses the request unless it carries `expected` as its bearer token (compared in constant time). */
export function requireBearer(c: Context, expected: string, what: string): void {
  const given = bearerToken(c);
  if (given === undefined || !secretEquals(given, expected)) {
    throw new ShomeiError('unauthorized', `${what} requires a valid bearer token`);
  }
}
