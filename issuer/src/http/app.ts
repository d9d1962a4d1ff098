import { problem } from '@shomei/shared/http-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { accreditationRoutes } from '../accreditation/routes.js';
import { adminRoutes } from '../admin/routes.js';
import { batchRoutes } from '../batch/routes.js';
import type { IssuerDeps } from '../deps.js';
import { discoveryRoutes } from '../discovery/routes.js';
import { oid4vciRoutes } from '../oid4vci/routes.js';
import { applicationRoutes } from '../proofing/routes.js';
import { sandboxRoutes } from '../sandbox/routes.js';
import { statusRoutes } from '../status/routes.js';
import { errorHandler } from './errors.js';

export const NOTHING_ALLOWED_CSP = "default-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** The issuer's HTTP app; all state and the clock come in through `deps`. */
export function createIssuerApp(deps: IssuerDeps): Hono {
  const app = new Hono();
  app.use(secureHeaders());
  app.use(async (c, next) => {
    await next();
    // The operator page sets its own policy (admin/page.ts); every other response, JSON or an HTML
    // page added later without one, gets the policy that allows nothing (issue 14, item 5).
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', NOTHING_ALLOWED_CSP);
  });
  // Each route that takes a body declares its limit (http/limits.ts); batch files stream to disk
  // under their own (batch/routes.ts).
  app.route('/', oid4vciRoutes(deps));
  app.route('/', discoveryRoutes(deps));
  app.route('/', statusRoutes(deps));
  app.route('/', sandboxRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', accreditationRoutes(deps));
  app.route('/', batchRoutes(deps, deps.dataDir));
  app.notFound(() => problem('not_found', 'no such resource'));
  app.onError(errorHandler(deps.log));
  return app;
}
