import { bearerToken, readJson } from '@shomei/shared/http-server';
import { Hono } from 'hono';
import type { IssuerDeps } from '../deps.js';
import { clientAddress } from '../http/client-address.js';
import { smallBody, uploadBody } from '../http/limits.js';
import { RateLimiter } from '../http/rate-limit.js';
import {
  createApplication,
  offerForApplication,
  requireApplication,
  requireCertificateCurrent,
  submitJpki,
  viewOf,
} from './applications.js';
import { receiveDocuments } from './documents.js';

const NO_STORE = { 'cache-control': 'no-store' };

/** The applicant's side of identity proofing. */
export function applicationRoutes(deps: IssuerDeps): Hono {
  const app = new Hono();
  const limiter = new RateLimiter(deps.sql, 'applications', deps.settings.applicationsPerMinute, 60_000);

  app.post('/v1/applications', smallBody, async (c) => {
    await limiter.hit(clientAddress(c), deps.now().getTime());
    const created = await createApplication(deps, await readJson(c));
    return c.json(created, 201, NO_STORE);
  });

  app.get('/v1/applications/:id', async (c) => {
    const row = await requireApplication(deps, c.req.param('id'), bearerToken(c));
    return c.json(viewOf(row, deps.settings.maxOffersPerApplication), 200, NO_STORE);
  });

  app.post('/v1/applications/:id/jpki', smallBody, async (c) => {
    const row = await requireApplication(deps, c.req.param('id'), bearerToken(c));
    return c.json(await submitJpki(deps, row, await readJson(c)), 200, NO_STORE);
  });

  app.post('/v1/applications/:id/documents', uploadBody(deps.settings.maxUploadBytes), async (c) => {
    const row = await requireApplication(deps, c.req.param('id'), bearerToken(c));
    await receiveDocuments(deps, row, c.req.raw);
    return c.json(viewOf(await requireApplication(deps, row.id, bearerToken(c)), deps.settings.maxOffersPerApplication), 200, NO_STORE);
  });

  app.post('/v1/applications/:id/offer', smallBody, async (c) => {
    const row = await requireApplication(deps, c.req.param('id'), bearerToken(c));
    await requireCertificateCurrent(deps, row);
    return c.json(await offerForApplication(deps, row), 201, NO_STORE);
  });
  return app;
}
