import type { IncomingMessage } from 'node:http';
import { parseWith, ShomeiError } from '@shomei/shared';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { authenticateClient } from '../clients/api-keys.js';
import type { VerifierContext } from '../context.js';
import { EvidenceWriter } from '../evidence/evidence.js';
import { frontDeskRoutes } from '../frontdesk/routes.js';
import { type Logger, silentLogger } from '../log.js';
import { createPresentationRequest, describePresentationRequest, signedRequestObject } from '../oid4vp/requests.js';
import { parseDirectPost, receiveDirectPost } from '../oid4vp/responses.js';
import { createRequestInputSchema } from '../oid4vp/z-requests.js';
import { statelessVerifyInputSchema, verifyStateless } from '../stateless/verify-stateless.js';
import type { ClientRow } from '../store/types.js';
import { WebhookSender } from '../webhooks/webhooks.js';
import { errorHandler, problemResponse } from './problem.js';

export interface AppDeps extends Omit<VerifierContext, 'log' | 'requestTtlSeconds' | 'evidence' | 'webhooks'> {
  log?: Logger;
  /** Lifetime of a presentation request (default 300 s). */
  requestTtlSeconds?: number;
  evidence?: EvidenceWriter;
  webhooks?: WebhookSender;
}

type Env = { Variables: { client: ClientRow } };

export const RESPONSE_BODY_LIMIT = 512 * 1024;
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** The verifier's HTTP surface: business API (API keys), OpenID4VP endpoints and its DID document. */
export function createApp(deps: AppDeps): Hono<Env> {
  const log = deps.log ?? silentLogger;
  const ctx: VerifierContext = {
    ...deps,
    log,
    requestTtlSeconds: deps.requestTtlSeconds ?? 300,
    evidence: deps.evidence ?? new EvidenceWriter(deps.store.evidence, log),
    webhooks: deps.webhooks ?? new WebhookSender(log, deps.now),
  };
  // Every call reads the key's client (one indexed lookup), so that rotation and revocation act at once.
  const authenticate = (authorization: string | undefined) => authenticateClient(deps.store.clients, authorization);
  const app = new Hono<Env>();

  app.onError(errorHandler(log));
  app.notFound((c) => problemResponse(c, new ShomeiError('not_found', 'no such resource')));
  app.use('*', accessLog(log));
  app.use('*', secureHeaders());
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
    // Pages set their own policy (frontdesk/html.ts); every other response, JSON or an HTML page added
    // later without one, gets the policy that allows nothing (issue 14, item 5).
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', NOTHING_ALLOWED_CSP);
  });
  const tooLarge = (): never => {
    throw new ShomeiError('payload_too_large', 'the request body is too large');
  };
  const largeBody = bodyLimit({ maxSize: RESPONSE_BODY_LIMIT, onError: tooLarge });
  const smallBody = bodyLimit({ maxSize: DEFAULT_BODY_LIMIT, onError: tooLarge });
  // /v1/verify reads its body itself, with the same limit (see readBody): the hot path.
  app.use('*', (c, next) =>
    c.req.path === VERIFY_PATH ? next() : c.req.path.startsWith('/oid4vp/responses/') ? largeBody(c, next) : smallBody(c, next),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/.well-known/did.json', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(deps.identity.didDocument);
  });

  const requireClient: MiddlewareHandler<Env> = async (c, next) => {
    c.set('client', await authenticate(c.req.header('authorization')));
    await next();
  };
  const business = new Hono<Env>();
  business.use('*', requireClient);
  business.post('/', async (c) => {
    const input = parseWith(createRequestInputSchema, await jsonBody(c), 'presentation request');
    return c.json(await createPresentationRequest(ctx, c.get('client'), input), 201);
  });
  business.get('/:id', async (c) => c.json(await describePresentationRequest(ctx, c.get('client'), c.req.param('id'))));
  app.route('/v1/presentation-requests', business);

  app.post(VERIFY_PATH, requireClient, async (c) => {
    const input = parseWith(statelessVerifyInputSchema, await jsonBody(c, RESPONSE_BODY_LIMIT), 'verification input');
    return c.json(await verifyStateless(ctx, c.get('client'), input));
  });

  app.get('/v1/evidence', requireClient, async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
    const rows = await deps.store.evidence.listForClient(c.get('client').id, limit);
    return c.json({
      evidence: rows.map((e) => ({
        id: e.id,
        request_id: e.requestId,
        kind: e.kind,
        created_at: new Date(e.createdAt).toISOString(),
        purge_at: new Date(e.purgeAt).toISOString(),
        request: JSON.parse(e.request) as unknown,
        result: JSON.parse(e.result) as unknown,
        presentation_sha256: e.presentationHash,
        disclosed_claims: e.disclosedNames,
        values_kept: e.sealedValues !== null,
      })),
    });
  });

  app.route('/', frontDeskRoutes(ctx));

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

const VERIFY_PATH = '/v1/verify';

export const NOTHING_ALLOWED_CSP = "default-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

async function jsonBody(c: Context, limit?: number): Promise<unknown> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    throw new ShomeiError('invalid_request', 'the body must be application/json');
  }
  const text = limit === undefined ? await c.req.text() : await readBody(c, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new ShomeiError('invalid_request', 'the body is not JSON');
  }
}

/**
 * Reads a body up to `limit` bytes. Under @hono/node-server it reads the Node request stream
 * directly, which spares building a WHATWG Request per call on the verification hot path.
 */
async function readBody(c: Context, limit: number): Promise<string> {
  const tooLarge = () => new ShomeiError('payload_too_large', 'the request body is too large');
  if (Number(c.req.header('content-length') ?? 0) > limit) throw tooLarge();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function') {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > limit) throw tooLarge();
    return text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
