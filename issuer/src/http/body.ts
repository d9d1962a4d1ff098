import { ShomeiError } from '@shomei/shared';
import type { Context } from 'hono';

/** The JSON body of a request, or a typed error naming what is wrong (never echoing the body). */
export async function readJson(c: Context, code: 'invalid_request' | 'invalid_credential_request' = 'invalid_request'): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ShomeiError(code, 'the request body must be application/json');
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ShomeiError(code, 'the request body is not valid JSON');
  }
}

/** The form body of a request (application/x-www-form-urlencoded). */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new ShomeiError('invalid_request', 'the request body must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(await c.req.text());
}
