import { parseWith, ShomeiError } from '@shomei/shared';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { authenticateClient } from '../clients/api-keys.js';
import { type Logger, silentLogger } from '../log.js';
import type { Oid4vpContext } from '../oid4vp/context.js';
import { createPresentationRequest, describePresentationRequest, signedRequestObject } from '../oid4vp/requests.js';
import { parseDirectPost, receiveDirectPost } from '../oid4vp/responses.js';
import { createRequestInputSchema } from '../oid4vp/z-requests.js';
import type { ClientRow } from '../store/types.js';
import { errorHandler, problemResponse } from './problem.js';

export interface AppDeps extends Omit<Oid4vpContext, 'log' | 'requestTtlSeconds'> {
  log?: Logger;
  /** Lifetime of a presentation request (default 300 s). */
  requestTtlSeconds?: number;
}

type Env = { Variables: { client: ClientRow } };

export const RESPONSE_BODY_LIMIT = 512 * 1024;
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** The verifier's HTTP surface: business API (API keys), OpenID4VP endpoints and its DID document. */
export function createApp(deps: AppDeps): Hono<Env> {
  const log = deps.log ?? silentLogger;
  const ctx: Oid4vpContext = { ...deps, log, requestTtlSeconds: deps.requestTtlSeconds ?? 300 };
  const app = new Hono<Env>();

  app.onError(errorHandler(log));
  app.notFound((c) => problemResponse(c, new ShomeiError('not_found', 'no such resource')));
  app.use('*', accessLog(log));
  app.use('*', secureHeaders());
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  const tooLarge = (): never => {
    throw new ShomeiError('payload_too_large', 'the request body is too large');
  };
  const largeBody = bodyLimit({ maxSize: RESPONSE_BODY_LIMIT, onError: tooLarge });
  const smallBody = bodyLimit({ maxSize: DEFAULT_BODY_LIMIT, onError: tooLarge });
  app.use('*', (c, next) => (c.req.path.startsWith('/oid4vp/responses/') ? largeBody(c, next) : smallBody(c, next)));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/.well-known/did.json', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(deps.identity.didDocument);
  });

  const business = new Hono<Env>();
  business.use('*', async (c, next) => {
    c.set('client', await authenticateClient(deps.store.clients, c.req.header('authorization')));
    await next();
  });
  business.post('/', async (c) => {
    const input = parseWith(createRequestInputSchema, await jsonBody(c), 'presentation request');
    return c.json(await createPresentationRequest(ctx, c.get('client'), input), 201);
  });
  business.get('/:id', async (c) => c.json(await describePresentationRequest(ctx, c.get('client'), c.req.param('id'))));
  app.route('/v1/presentation-requests', business);

  app.get('/oid4vp/requests/:id', async (c) => {
    const jwt = await signedRequestObject(ctx, c.req.param('id'));
    return c.body(jwt, 200, { 'content-type': 'application/oauth-authz-req+jwt' });
  });

  app.post('/oid4vp/responses/:id', async (c) => {
    const body = parseDirectPost(await formBody(c));
    return c.json(await receiveDirectPost(ctx, c.req.param('id'), body));
  });

  return app;
}

async function jsonBody(c: Context): Promise<unknown> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    throw new ShomeiError('invalid_request', 'the body must be application/json');
  }
  try {
    return JSON.parse(await c.req.text());
  } catch {
    throw new ShomeiError('invalid_request', 'the body is not JSON');
  }
}

async function formBody(c: Context): Promise<Record<string, string>> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new ShomeiError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    if (Object.hasOwn(form, name)) throw new ShomeiError('invalid_request', `parameter ${name.slice(0, 32)} is repeated`);
    form[name] = value;
  }
  return form;
}

/** Method, route pattern, status and time: never a body, a query string or a header value. */
function accessLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log.info(`http: ${c.req.method} ${c.req.routePath} ${c.res.status} ${Math.round(performance.now() - started)}ms`);
  };
}
