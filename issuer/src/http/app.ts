import type { Job } from '@shomei/shared';
import { problem, securityHeaders } from '@shomei/shared/http-server';
import { Hono } from 'hono';
import { accreditationRoutes } from '../accreditation/routes.js';
import { adminRoutes } from '../admin/routes.js';
import { batchRoutes } from '../batch/routes.js';
import type { IssuerDeps } from '../deps.js';
import { discoveryRoutes } from '../discovery/routes.js';
import { crlRecheckJob } from '../jobs/crl-recheck.js';
import { oid4vciRoutes } from '../oid4vci/routes.js';
import { applicationRoutes } from '../proofing/routes.js';
import { sandboxRoutes } from '../sandbox/routes.js';
import { statusRoutes } from '../status/routes.js';
import { errorHandler } from './errors.js';

export { NOTHING_ALLOWED_CSP } from '@shomei/shared/http-server';

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
  // The operator page sets its own policy (admin/page.ts); everything else gets the one allowing nothing.
  app.use(...securityHeaders());
  // Each route that takes a body declares its limit (http/limits.ts); batch files stream to disk
  // under their own (batch/routes.ts).
  app.route('/', oid4vciRoutes(deps));
  app.route('/', discoveryRoutes(deps));
  app.route('/', statusRoutes(deps));
  app.route('/', sandboxRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', accreditationRoutes(deps));
  const batches = batchRoutes(deps, deps.dataDir);
  app.route('/', batches.routes);
  app.notFound(() => problem('not_found', 'no such resource'));
  app.onError(errorHandler(deps.log));
  const crlRecheck = crlRecheckJob(deps);
  return { app, jobs: [...batches.jobs, ...(crlRecheck ? [crlRecheck] : [])] };
}
