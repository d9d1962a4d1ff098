import { parseWith, ShomeiError } from '@shomei/shared';
import { bearerToken, readJson } from '@shomei/shared/http-server';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { exportAudit, verifyAudit } from '../audit/audit-log.js';
import type { IssuerDeps } from '../deps.js';
import { smallBody } from '../http/limits.js';
import { recheckCrls } from '../lifecycle/crl-recheck.js';
import { decideApplication, operatorView } from '../proofing/applications.js';
import { readApplicationImage } from '../proofing/documents.js';
import { type ApplicationState, findApplication, listApplications } from '../proofing/store.js';
import { setCredentialStatus } from '../status/set-status.js';
import { findCredential } from '../store/credentials.js';
import { OPERATOR_PAGE, OPERATOR_PAGE_CSP } from './page.js';
import { type AdminScope, authenticateAdmin } from './tokens.js';
import { adminCredentialView } from './views.js';

const NO_STORE = { 'cache-control': 'no-store' };
const STATES = ['awaiting_signature', 'awaiting_documents', 'pending_review', 'approved', 'rejected', 'refused'] as const;

const statusChangeSchema = z.strictObject({
  status: z.enum(['revoked', 'suspended', 'valid']),
  reason: z.string().trim().min(3).max(500),
});

/** The operators' API: every route takes a bearer admin token holding the route's scope. */
export function adminRoutes(deps: IssuerDeps): Hono {
  const app = new Hono();
  const admin = (c: Context, scope: AdminScope) => authenticateAdmin(deps.sql, bearerToken(c), scope);

  app.get('/operator', (c) => c.html(OPERATOR_PAGE, 200, { 'content-security-policy': OPERATOR_PAGE_CSP }));

  app.get('/v1/admin/applications', async (c) => {
    await admin(c, 'review');
    const state = c.req.query('state');
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) throw new ShomeiError('invalid_request', 'unknown state');
    const rows = await listApplications(deps.sql, state as ApplicationState | undefined, 200);
    return c.json({ applications: await Promise.all(rows.map((r) => operatorView(deps, r))) }, 200, NO_STORE);
  });

  app.get('/v1/admin/applications/:id', async (c) => {
    await admin(c, 'review');
    const row = await findApplication(deps.sql, c.req.param('id'));
    if (!row) throw new ShomeiError('not_found', 'no such application');
    return c.json(await operatorView(deps, row), 200, NO_STORE);
  });

  app.get('/v1/admin/applications/:id/files/:kind', async (c) => {
    await admin(c, 'review');
    const image = await readApplicationImage(deps, c.req.param('id'), c.req.param('kind'));
    return c.body(new Uint8Array(image.bytes), 200, { 'content-type': image.type, ...NO_STORE });
  });

  app.post('/v1/admin/applications/:id/decision', smallBody, async (c) => {
    const who = await admin(c, 'review');
    return c.json(await decideApplication(deps, c.req.param('id'), who.actor, await readJson(c)), 200, NO_STORE);
  });

  app.get('/v1/admin/credentials/:id', async (c) => {
    await admin(c, 'revoke');
    const row = await findCredential(deps.sql, c.req.param('id'));
    if (!row) throw new ShomeiError('not_found', 'no such credential');
    return c.json(adminCredentialView(row), 200, NO_STORE);
  });

  app.post('/v1/admin/credentials/:id/status', smallBody, async (c) => {
    const who = await admin(c, 'revoke');
    const input = parseWith(statusChangeSchema, await readJson(c), 'status change');
    const id = c.req.param('id');
    await setCredentialStatus(deps, id, input.status, { actor: who.actor, reason: input.reason });
    return c.json({ id, status: input.status, status_list_ttl: deps.statusLists.ttlSeconds }, 200, NO_STORE);
  });

  app.post('/v1/admin/crl-check', smallBody, async (c) => {
    const who = await admin(c, 'revoke');
    return c.json(await recheckCrls(deps, who.actor), 200, NO_STORE);
  });

  app.get('/v1/admin/audit', async (c) => {
    await admin(c, 'audit');
    const lines: string[] = [];
    for await (const line of exportAudit(deps.sql)) lines.push(`${line}\n`);
    return c.body(lines.join(''), 200, { 'content-type': 'application/jsonl', ...NO_STORE });
  });

  app.get('/v1/admin/audit/verify', async (c) => {
    await admin(c, 'audit');
    return c.json(await verifyAudit(deps.sql, c.req.query('head')), 200, NO_STORE);
  });
  return app;
}
