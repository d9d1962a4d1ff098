import { ShomeiError } from '@shomei/shared';
import { bearerToken } from '@shomei/shared/http-server';
import type { Context } from 'hono';
import { secretEquals } from '../lib/secrets.js';

/** Refuses the request unless it carries `expected` as its bearer token (compared in constant time). */
export function requireBearer(c: Context, expected: string, what: string): void {
  const given = bearerToken(c);
  if (given === undefined || !secretEquals(given, expected)) {
    throw new ShomeiError('unauthorized', `${what} requires a valid bearer token`);
  }
}
