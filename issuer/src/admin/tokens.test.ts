import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, jsonRequest, taro } from '../testing/harness.js';
import { authenticateAdmin, createAdminToken, parseScopes, revokeAdminToken } from './tokens.js';

let h: Harness;
afterEach(() => h.close());

describe('admin tokens', () => {
  it('are stored as digests only, checked for scope, and stop working once revoked', async () => {
    h = await createHarness();
    const t = await createAdminToken(h.deps.sql, h.now(), 'alice', parseScopes('review,audit'));
    expect(t.token).toMatch(/^shia_[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(h.db.prepare('SELECT * FROM admin_tokens').all());
    expect(stored).not.toContain(t.token.slice(5));
    expect(await authenticateAdmin(h.deps.sql, t.token, 'review')).toMatchObject({ name: 'alice', actor: 'admin:alice' });
    await expect(authenticateAdmin(h.deps.sql, t.token, 'revoke')).rejects.toThrow(/lacks the revoke scope/);
    // One live token per name: a second "alice" is refused until the first is revoked.
    await expect(createAdminToken(h.deps.sql, h.now(), 'alice', ['review'])).rejects.toThrow(/a token named alice exists/);
    expect(await revokeAdminToken(h.deps.sql, 'alice', h.now())).toBe(1);
    await expect(authenticateAdmin(h.deps.sql, t.token, 'review')).rejects.toThrow(/valid bearer token/);
    expect((await createAdminToken(h.deps.sql, h.now(), 'alice', ['review'])).name).toBe('alice');
    expect(() => parseScopes('review,root')).toThrow(/unknown scope/);
    expect(() => parseScopes('')).toThrow(/at least one scope/);
  });

  it('an issue-scoped token may create sandbox offers; other scopes may not', async () => {
    h = await createHarness();
    const issuer = (await createAdminToken(h.deps.sql, h.now(), 'desk', ['issue'])).token;
    const reviewer = (await createAdminToken(h.deps.sql, h.now(), 'rev', ['review'])).token;
    expect((await jsonRequest(h, 'POST', '/v1/sandbox/offers', { identity: taro }, issuer)).status).toBe(201);
    expect((await jsonRequest(h, 'POST', '/v1/sandbox/offers', { identity: taro }, reviewer)).status).toBe(403);
  });

  it('the audit API exports JSONL and verifies the chain for an audit-scoped token', async () => {
    h = await createHarness();
    const auditor = (await createAdminToken(h.deps.sql, h.now(), 'auditor', ['audit'])).token;
    await jsonRequest(h, 'POST', '/v1/applications', { method: 'document', identity: taro });
    const jsonl = await (await jsonRequest(h, 'GET', '/v1/admin/audit', undefined, auditor)).text();
    const lines = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; data: unknown });
    expect(lines.map((l) => l.action)).toEqual(['application.created']);
    expect(jsonl).not.toContain('山田');
    expect(await (await jsonRequest(h, 'GET', '/v1/admin/audit/verify', undefined, auditor)).json()).toMatchObject({
      ok: true,
      entries: 1,
    });
  });
});
