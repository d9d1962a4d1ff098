import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ShomeiError } from '../../errors.js';

/**
 * Request bodies, with the limit declared by each route that takes one:
 *
 *   app.post('/token', limitBody(64 * 1024), async (c) => … await readForm(c) …)
 *
 * `limitBody` refuses a larger body with 413 `payload_too_large` before the handler runs when the
 * Content-Length says so (so an unauthenticated caller gets 413, not 401, and nothing is read), and
 * while it is read otherwise. A route without it takes no body. The one exception is a hot path that
 * reads the Node stream itself with `readBodyText(c, maxBytes)`, which applies the same limit.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge(maxBytes);
    },
  });
}

function tooLarge(maxBytes: number): ShomeiError {
  return new ShomeiError('payload_too_large', `the request body is larger than ${maxBytes} bytes`);
}

type BodyCode = 'invalid_request' | 'invalid_credential_request';

/** The JSON body of a request, or a typed error naming what is wrong (never echoing the body). */
export async function readJson(c: Context, options: { code?: BodyCode; maxBytes?: number } = {}): Promise<unknown> {
  const code = options.code ?? 'invalid_request';
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new ShomeiError(code, 'the request body must be application/json');
  }
  const text = options.maxBytes === undefined ? await c.req.text() : await readBodyText(c, options.maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ShomeiError(code, 'the request body is not valid JSON');
  }
}

/** The form body of a request (application/x-www-form-urlencoded), every value of every name. */
export async function readForm(c: Context): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header('content-type') ?? '')) {
    throw new ShomeiError('invalid_request', 'the request body must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(await c.req.text());
}

/**
 * Reads a body up to `maxBytes`. Under @hono/node-server it reads the Node request stream directly,
 * which spares building a WHATWG Request per call (what `limitBody` does) on a hot path.
 */
export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  if (Number(c.req.header('content-length') ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function') {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge(maxBytes);
    return text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
