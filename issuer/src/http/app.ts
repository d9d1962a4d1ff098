import { type Job, ShomeiError } from '@shomei/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { accreditationRoutes } from '../accreditation/routes.js';
import { adminRoutes } from '../admin/routes.js';
import { BATCH_UPLOAD_PATH, batchRoutes } from '../batch/routes.js';
import type { IssuerDeps } from '../deps.js';
import { discoveryRoutes } from '../discovery/routes.js';
import { crlRecheckJob } from '../jobs/crl-recheck.js';
import { oid4vciRoutes } from '../oid4vci/routes.js';
import { applicationRoutes } from '../proofing/routes.js';
import { sandboxRoutes } from '../sandbox/routes.js';
import { statusRoutes } from '../status/routes.js';
import { errorHandler, problemJson } from './errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export const NOTHING_ALLOWED_CSP = "default-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** The issuer's HTTP app; all state and the clock come in through `deps`. */
export function createIssuerApp(deps: IssuerDeps): Hono {
  return createIssuerService(deps).app;
}

/**
 * The HTTP app and the background jobs that belong with it (a running batch and the sweep of batch
 * files share one process's knowledge of what runs). The server schedules the jobs.
 */
export function createIssuerService(deps: IssuerDeps): { app: Hono; jobs: Job[] } {
  const app = new Hono();
  app.use(secureHeaders());
  app.use(async (c, next) => {
    await next();
    // The operator page sets its own policy (admin/page.ts); every other response, JSON or an HTML
    // page added later without one, gets the policy that allows nothing (issue 14, item 5).
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', NOTHING_ALLOWED_CSP);
  });
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ShomeiError('payload_too_large', `the request body is larger than ${maxSize} bytes`);
      },
    });
  const small = limit(MAX_BODY_BYTES);
  // Document uploads carry two images; every other body stays small.
  const uploads = limit(2 * deps.settings.maxUploadBytes + MAX_BODY_BYTES);
  app.use((c, next) => {
    // Batch files stream to disk under their own limit (batch/routes.ts).
    if (BATCH_UPLOAD_PATH.test(c.req.path)) return next();
    return /^\/v1\/applications\/[^/]+\/documents$/.test(c.req.path) ? uploads(c, next) : small(c, next);
  });
  app.route('/', oid4vciRoutes(deps));
  app.route('/', discoveryRoutes(deps));
  app.route('/', statusRoutes(deps));
  app.route('/', sandboxRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', accreditationRoutes(deps));
  const batches = batchRoutes(deps, deps.dataDir);
  app.route('/', batches.routes);
  app.notFound(() => problemJson(404, 'not_found', 'no such resource'));
  app.onError(errorHandler(deps.log));
  const crlRecheck = crlRecheckJob(deps);
  return { app, jobs: [...batches.jobs, ...(crlRecheck ? [crlRecheck] : [])] };
}
