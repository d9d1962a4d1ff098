import { STATUS_LIST_TYP } from '@shomei/shared';
import { Hono } from 'hono';
import type { IssuerDeps } from '../deps.js';

/** IETF Token Status List: the signed list tokens that credentials point at. */
export function statusRoutes(deps: IssuerDeps): Hono {
  const app = new Hono();
  app.get('/status-lists/:id', async (c) => {
    const token = await deps.statusLists.token(c.req.param('id'));
    return c.body(token, 200, {
      'content-type': `application/${STATUS_LIST_TYP}`,
      'cache-control': `max-age=${deps.statusLists.ttlSeconds}`,
    });
  });
  return app;
}
