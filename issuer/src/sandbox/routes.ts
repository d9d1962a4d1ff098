import { ShomeiError } from '@shomei/shared';
import { bearerToken, readJson } from '@shomei/shared/http-server';
import { Hono } from 'hono';
import { ADMIN_TOKEN_PREFIX, authenticateAdmin } from '../admin/tokens.js';
import type { IssuerDeps } from '../deps.js';
import { requireBearer } from '../http/auth.js';
import { smallBody } from '../http/limits.js';
import { createSandboxOffer } from './offers.js';

/** Sandbox endpoints: answer 404 unless the sandbox was switched on, 401 without the admin token. */
export function sandboxRoutes(deps: IssuerDeps): Hono {
  const app = new Hono();
  app.post('/v1/sandbox/offers', smallBody, async (c) => {
    const sandbox = deps.sandbox;
    if (!sandbox.enabled) throw new ShomeiError('sandbox_disabled', 'the sandbox is not enabled on this issuer');
    // The sandbox admin token from the environment, or an admin token with the `issue` scope.
    const given = bearerToken(c);
    if (!given?.startsWith(ADMIN_TOKEN_PREFIX)) requireBearer(c, sandbox.adminToken, 'the sandbox');
    else await authenticateAdmin(deps.sql, given, 'issue');
    const body = await readJson(c);
    return c.json(await createSandboxOffer(deps, body), 201, { 'cache-control': 'no-store' });
  });
  return app;
}
