import { parseWith, ShomeiError } from '@shomei/shared';
import { problem, readForm, readJson, securityHeaders } from '@shomei/shared/http-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
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
import { RESPONSE_BODY_LIMIT, responseBody, smallBody } from './limits.js';
import { errorHandler } from './problem.js';

export interface AppDeps extends Omit<VerifierContext, 'log' | 'requestTtlSeconds' | 'evidence' | 'webhooks'> {
  log?: Logger;
  /** Lifetime of a presentation request (default 300 s). */
  requestTtlSeconds?: number;
  evidence?: EvidenceWriter;
  webhooks?: WebhookSender;
}

type Env = { Variables: { client: ClientRow } };

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
  app.notFound(() => problem('not_found', 'no such resource'));
  app.use('*', accessLog(log));
  // Pages set their own policy (frontdesk/html.ts); everything else gets the one allowing nothing.
  app.use('*', ...securityHeaders());
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  // Each route that takes a body declares its limit (limits.ts). /v1/verify, the hot path, reads the
  // Node stream itself under the same limit (readJson with maxBytes) instead of wrapping the request.

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
  business.post('/', smallBody, async (c) => {
    const input = parseWith(createRequestInputSchema, await readJson(c), 'presentation request');
    return c.json(await createPresentationRequest(ctx, c.get('client'), input), 201);
  });
  business.get('/:id', async (c) => c.json(await describePresentationRequest(ctx, c.get('client'), c.req.param('id'))));
  app.route('/v1/presentation-requests', business);

  app.post('/v1/verify', requireClient, async (c) => {
    const input = parseWith(statelessVerifyInputSchema, await readJson(c, { maxBytes: RESPONSE_BODY_LIMIT }), 'verification input');
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

  app.post('/oid4vp/responses/:id', responseBody, async (c) => {
    const body = parseDirectPost(await formBody(c));
    return c.json(await receiveDirectPost(ctx, c.req.param('id'), body));
  });

  return app;
}

export { NOTHING_ALLOWED_CSP } from '@shomei/shared/http-server';

/** The form fields of a direct_post response: a repeated name is refused, not silently resolved. */
async function formBody(c: Context): Promise<Record<string, string>> {
  const form: Record<string, string> = {};
  for (const [name, value] of await readForm(c)) {
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
