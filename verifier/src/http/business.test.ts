import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { KeyVault, parseJws, parsePresentationRequestUri, requestObjectSchema, STATUS } from '@shomei/shared';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../clients/api-keys.js';
import { EvidenceWriter, evidenceAad } from '../evidence/evidence.js';
import { loadVerifierIdentity, type VerifierIdentity } from '../keys.js';
import { silentLogger } from '../log.js';
import { webhookSecretAad } from '../oid4vp/responses.js';
import { StatusListCache } from '../status/status-list-cache.js';
import { openSqliteVerifierStore } from '../store/sql-store.js';
import type { VerifierStore } from '../store/types.js';
import { ADDRESS_PATHS, type IssuerStandIn, present, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { TrustService } from '../trust/trust-service.js';
import { parseTrustConfig } from '../trust/z-trust-config.js';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WebhookSender } from '../webhooks/webhooks.js';
import { createApp } from './app.js';

const BASE = 'http://127.0.0.1:5000';
const START = new Date('2026-11-21T03:00:00Z');
const clock = START;
const now = () => clock;

let issuer: IssuerStandIn;
let store: VerifierStore & { db: import('@shomei/shared').Db };
let vault: KeyVault;
let identity: VerifierIdentity;
let trust: TrustService;
let evidence: EvidenceWriter;
let webhooks: WebhookSender;
let app: ReturnType<typeof createApp>;
let keyA: string;
let keyB: string;
let clientA: string;
let hookServer: ReturnType<typeof serve>;
const hooks: { body: string; signature: string | undefined }[] = [];
const WEBHOOK_SECRET = 'whsec_test-secret-of-the-business';

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
  issuer.list.set(13, STATUS.INVALID);
  store = openSqliteVerifierStore(':memory:');
  vault = await KeyVault.open(store.vault, 'test vault secret');
  identity = await loadVerifierIdentity(vault, BASE);
  trust = new TrustService(parseTrustConfig({ issuers: [{ iss: issuer.iss }] }), { now });
  evidence = new EvidenceWriter(store.evidence, silentLogger);
  webhooks = new WebhookSender(silentLogger, now, [0]);
  app = createApp({
    store,
    identity,
    sealer: vault,
    trust,
    statusLists: new StatusListCache({ trust, now }),
    baseUrl: BASE,
    now,
    evidence,
    webhooks,
  });

  const hookApp = new Hono();
  hookApp.post('/hook', async (c) => {
    hooks.push({ body: await c.req.text(), signature: c.req.header(WEBHOOK_SIGNATURE_HEADER) });
    return c.body(null, 204);
  });
  hookServer = serve({ fetch: hookApp.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => hookServer.once('listening', () => r()));
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;

  const a = await createClient(store.clients, 'Shop A', START);
  keyA = a.apiKey;
  clientA = a.client.id;
  await store.clients.update(clientA, {
    retentionDays: 30,
    keepValues: false,
    webhookUrl: hookUrl,
    sealedWebhookSecret: vault.seal(WEBHOOK_SECRET, webhookSecretAad(clientA)),
  });
  const b = await createClient(store.clients, 'Bank B', START);
  keyB = b.apiKey;
  await store.clients.update(b.client.id, { retentionDays: 365, keepValues: true });
});
afterAll(async () => {
  await issuer.close();
  hookServer.close();
  store.close();
});

const auth = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

async function verify(body: unknown, key = keyA) {
  const res = await app.request('/v1/verify', { method: 'POST', headers: auth(key), body: JSON.stringify(body) });
  return { res, json: (await res.json()) as Record<string, unknown> & { errors: { code: string }[] } };
}

async function wallet(requestUri: string, paths: string[][]) {
  const { requestUri: objectUrl } = parsePresentationRequestUri(requestUri);
  const jwt = await (await app.request(objectUrl.slice(BASE.length))).text();
  const ro = requestObjectSchema.parse(parseJws(jwt).payload);
  const vp = await present(await issuer.issue(), paths, { nonce: ro.nonce, aud: ro.client_id, iat: clock });
  const id = new URL(ro.response_uri).pathname.split('/').pop() as string;
  const res = await app.request(`/oid4vp/responses/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ vp_token: JSON.stringify({ identity: [vp] }), state: ro.state }).toString(),
  });
  return { res, ro, id };
}

describe('POST /v1/verify (stateless)', () => {
  it('needs a business API key', async () => {
    const res = await app.request('/v1/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('verifies a presentation with key binding and returns the full result', async () => {
    const vp = await present(await issuer.issue(), [['birthdate'], ['family_name']], { nonce: 'n-1234567890', aud: 'shop-a', iat: clock });
    const { res, json } = await verify({
      presentation: vp,
      nonce: 'n-1234567890',
      aud: 'shop-a',
      claims: [['birthdate']],
      min_assurance: 'IAL2',
    });
    expect(res.status).toBe(200);
    expect(json).toMatchObject({
      valid: true,
      errors: [],
      issuer: issuer.iss,
      vct: 'urn:shomei:vct:jp-identity:1',
      assurance_level: 'IAL2',
      status: 'valid',
      key_binding: 'verified',
    });
    // family_name was disclosed but not asked for: the business does not get it (data minimization).
    expect(json.disclosed).toEqual({ birthdate: '1991-08-14' });
    expect(json.warnings).toEqual([{ code: 'extra_claims_dropped', message: expect.stringContaining('family_name') }]);
    expect(typeof json.checked_at).toBe('string');
  });

  it('reports errors with stable codes (kb_nonce_mismatch, revoked, assurance_too_low)', async () => {
    const vp = await present(await issuer.issue({ idx: 13 }), [['birthdate']], { nonce: 'n-a', aud: 'shop-a', iat: clock });
    expect((await verify({ presentation: vp, nonce: 'n-b', aud: 'shop-a' })).json.errors.map((e) => e.code)).toEqual(['kb_nonce_mismatch']);
    expect((await verify({ presentation: vp, nonce: 'n-a', aud: 'shop-a' })).json.errors.map((e) => e.code)).toEqual(['revoked']);
    const ok = await present(await issuer.issue(), [['birthdate']], { nonce: 'n-a', aud: 'shop-a', iat: clock });
    expect((await verify({ presentation: ok, nonce: 'n-a', aud: 'shop-a', min_assurance: 'IAL3' })).json.errors.map((e) => e.code)).toEqual(
      ['assurance_too_low'],
    );
  });

  it('match mode: only per-field true/false, no values', async () => {
    const vp = await present(await issuer.issue(), [['family_name#ja-Kana-JP'], ['given_name#ja-Kana-JP'], ['birthdate']], {
      nonce: 'n-m',
      aud: 'shop-a',
      iat: clock,
    });
    const { json } = await verify({
      presentation: vp,
      nonce: 'n-m',
      aud: 'shop-a',
      mode: 'match',
      record: { name_kana: 'ﾔﾏﾀﾞ ﾀﾛｳ', birthdate: '1991.08.14' },
    });
    expect(json).toMatchObject({ valid: true, disclosed: {}, matches: { name_kana: true, birthdate: true } });
    expect(JSON.stringify(json)).not.toContain('ヤマダ');
  });
});

describe('presentation requests: optional claims, match mode, webhooks, evidence', () => {
  it('emits claim ids and claim_sets for optional claims, and accepts a response without them', async () => {
    const created = await app.request('/v1/presentation-requests', {
      method: 'POST',
      headers: auth(keyA),
      body: JSON.stringify({ claims: [['birthdate'], { path: ['phone_number'], optional: true }] }),
    });
    const { request_uri } = (await created.json()) as { request_uri: string };
    const { res, ro, id } = await wallet(request_uri, [['birthdate']]);
    expect(ro.dcql_query.credentials[0]?.claim_sets).toEqual([['c0', 'c1'], ['c0']]);
    expect(res.status).toBe(200);
    const view = (await (await app.request(`/v1/presentation-requests/${id}`, { headers: auth(keyA) })).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'accepted', claims: [['birthdate']], optional_claims: [['phone_number']], mode: 'fill_in' });
  });

  it('match mode through OpenID4VP: asks for what the record needs, answers true/false, keeps no record', async () => {
    const created = await app.request('/v1/presentation-requests', {
      method: 'POST',
      headers: auth(keyA),
      body: JSON.stringify({
        mode: 'match',
        record: { name: '山田太郎', birthdate: '19910814', address: { region: '東京', postal_code: '〒100-0001' } },
      }),
    });
    expect(created.status).toBe(201);
    const { id: requestId, request_uri } = (await created.json()) as { id: string; request_uri: string };
    expect((await store.requests.get(requestId))?.sealedRecord).toBeTruthy();
    const { ro } = await wallet(request_uri, [
      ['family_name'],
      ['given_name'],
      ['birthdate'],
      ['address', 'region'],
      ['address', 'postal_code'],
    ]);
    expect(ro.dcql_query.credentials[0]?.claims?.map((c) => c.path.join('.'))).toEqual([
      'family_name',
      'given_name',
      'birthdate',
      'address.postal_code',
      'address.region',
    ]);
    const view = (await (await app.request(`/v1/presentation-requests/${requestId}`, { headers: auth(keyA) })).json()) as {
      result: Record<string, unknown>;
    };
    expect(view.result).toMatchObject({
      valid: true,
      disclosed: {},
      matches: { name: true, birthdate: true, 'address.region': true, 'address.postal_code': true },
    });
    expect((await store.requests.get(requestId))?.sealedRecord).toBeNull();
  });

  it('sends a webhook signed with HMAC that the business can check; a tampered body fails', async () => {
    await webhooks.idle();
    const last = hooks.at(-1);
    if (!last) throw new Error('no webhook arrived');
    const event = JSON.parse(last.body as string) as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'presentation_request.completed', status: 'accepted' });
    expect(verifyWebhookSignature(WEBHOOK_SECRET, last.signature, last.body as string, clock)).toBe(true);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, last.signature, (last.body as string).replace('accepted', 'rejected'), clock)).toBe(
      false,
    );
    expect(verifyWebhookSignature('whsec_wrong', last.signature, last.body as string, clock)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, last.signature, last.body as string, new Date(clock.getTime() + 3600_000))).toBe(false);
    expect(last.body).not.toContain('山田');
  });

  it('leaves an evidence record per verification: names, hash, no values unless kept; a business sees only its own', async () => {
    await evidence.flush();
    const listA = (await (await app.request('/v1/evidence', { headers: auth(keyA) })).json()) as { evidence: Record<string, unknown>[] };
    expect(listA.evidence.length).toBeGreaterThanOrEqual(5);
    const match = listA.evidence.find((e) => (e.request as { policy?: { mode?: string } }).policy?.mode === 'match' && e.kind === 'oid4vp');
    expect(match).toMatchObject({
      values_kept: false,
      disclosed_claims: ['address.postal_code', 'address.region', 'birthdate', 'family_name', 'given_name'],
    });
    expect(match?.presentation_sha256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(listA)).not.toContain('山田');
    const stored = await store.evidence.listForClient(clientA, 100);
    expect(stored.every((e) => e.sealedValues === null)).toBe(true);

    // Business B keeps values (sealed) and sees none of A's records.
    const vp = await present(await issuer.issue(), [['birthdate']], { nonce: 'n-b', aud: 'bank-b', iat: clock });
    await verify({ presentation: vp, nonce: 'n-b', aud: 'bank-b' }, keyB);
    await evidence.flush();
    const listB = (await (await app.request('/v1/evidence', { headers: auth(keyB) })).json()) as {
      evidence: { id: string; values_kept: boolean }[];
    };
    expect(listB.evidence).toHaveLength(1);
    expect(listB.evidence[0]?.values_kept).toBe(true);
    expect(listA.evidence.map((e) => e.id)).not.toContain(listB.evidence[0]?.id);
  });

  it('the purge job deletes evidence past each business retention and clears old request results', async () => {
    await evidence.flush();
    const countFor = async (key: string) =>
      ((await (await app.request('/v1/evidence', { headers: auth(key) })).json()) as { evidence: unknown[] }).evidence.length;
    const a = await countFor(keyA);
    expect(a).toBeGreaterThan(0);
    expect(await store.evidence.purge(START.getTime() + 29 * 86_400_000)).toEqual({ evidence: 0, requestResults: 0 });
    const done = await store.evidence.purge(START.getTime() + 31 * 86_400_000);
    expect(done.evidence).toBe(a);
    expect(done.requestResults).toBeGreaterThan(0);
    expect(await countFor(keyA)).toBe(0);
    expect(await countFor(keyB)).toBe(1); // B keeps a year
  });
});

describe('trust configuration reloads without a restart', () => {
  it('an issuer removed from the trust file is untrusted at once; put back, trusted again', async () => {
    const vp = await present(await issuer.issue(), [['birthdate']], { nonce: 'n-r', aud: 'shop-a', iat: clock });
    expect((await verify({ presentation: vp, nonce: 'n-r', aud: 'shop-a' })).json.valid).toBe(true);
    trust.reload(parseTrustConfig({ issuers: [] }));
    expect((await verify({ presentation: vp, nonce: 'n-r', aud: 'shop-a' })).json.errors.map((e) => e.code)).toEqual(['untrusted_issuer']);
    trust.reload(parseTrustConfig({ issuers: [{ iss: issuer.iss, max_assurance: 'IAL1' }] }));
    expect((await verify({ presentation: vp, nonce: 'n-r', aud: 'shop-a' })).json.errors.map((e) => e.code)).toEqual([
      'assurance_not_allowed',
    ]);
    trust.reload(parseTrustConfig({ issuers: [{ iss: issuer.iss }], algorithms: ['EdDSA'] }));
    expect((await verify({ presentation: vp, nonce: 'n-r', aud: 'shop-a' })).json.errors.map((e) => e.code)).toEqual(['unsupported_alg']);
    trust.reload(parseTrustConfig({ issuers: [{ iss: issuer.iss }] }));
    expect((await verify({ presentation: vp, nonce: 'n-r', aud: 'shop-a' })).json.valid).toBe(true);
  });
});

// keep ADDRESS_PATHS import meaningful for identity presets through the request API
it('identity_basic through the request API discloses the address members', async () => {
  const created = await app.request('/v1/presentation-requests', {
    method: 'POST',
    headers: auth(keyA),
    body: JSON.stringify({ preset: 'identity_basic' }),
  });
  const { request_uri, id } = (await created.json()) as { request_uri: string; id: string };
  await wallet(request_uri, [['family_name'], ['given_name'], ['birthdate'], ['address'], ...ADDRESS_PATHS]);
  const view = (await (await app.request(`/v1/presentation-requests/${id}`, { headers: auth(keyA) })).json()) as { status: string };
  expect(view.status).toBe('accepted');
});

describe('data minimization and key binding (issue 14, items 11 and 16)', () => {
  let keyC: string;
  let clientC: string;
  beforeAll(async () => {
    const c = await createClient(store.clients, 'Shop C', START);
    keyC = c.apiKey;
    clientC = c.client.id;
    await store.clients.update(clientC, { retentionDays: 30, keepValues: true });
  });
  const overDisclosed = ['age_equal_or_over', '20'];
  const extra = [overDisclosed, ['family_name'], ['birthdate']];

  it('an age_over_20 check answered with family_name and birthdate: the business and the evidence get only the age', async () => {
    const vp = await present(await issuer.issue(), extra, { nonce: 'n-min', aud: 'shop-c', iat: clock });
    const { json } = await verify({ presentation: vp, nonce: 'n-min', aud: 'shop-c', preset: 'age_over_20' }, keyC);
    expect(json).toMatchObject({ valid: true, disclosed: { age_equal_or_over: { '20': true } } });
    expect(Object.keys(json.disclosed as object)).toEqual(['age_equal_or_over']);
    expect(json.warnings).toEqual([
      { code: 'extra_claims_dropped', message: 'claims the request did not ask for were left out (birthdate, family_name)' },
    ]);
    expect(JSON.stringify(json)).not.toContain('山田');
    expect(JSON.stringify(json)).not.toContain('1991');
    await evidence.flush();
    const rows = await store.evidence.listForClient(clientC, 100);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row?.disclosedNames).toEqual(['age_equal_or_over.20']);
    expect(JSON.parse(vault.unseal(row?.sealedValues as string, evidenceAad(row?.id as string)))).toEqual({
      age_equal_or_over: { '20': true },
    });
  });

  it('with "extra_claims": "refuse" the over-disclosed presentation fails (extra_claims_disclosed) and hands on nothing', async () => {
    const vp = await present(await issuer.issue(), extra, { nonce: 'n-ref', aud: 'shop-c', iat: clock });
    const { json } = await verify({ presentation: vp, nonce: 'n-ref', aud: 'shop-c', preset: 'age_over_20', extra_claims: 'refuse' }, keyC);
    expect(json).toMatchObject({ valid: false, errors: [{ code: 'extra_claims_disclosed' }], disclosed: {} });
    const exact = await present(await issuer.issue(), [overDisclosed], { nonce: 'n-ok', aud: 'shop-c', iat: clock });
    const ok = await verify({ presentation: exact, nonce: 'n-ok', aud: 'shop-c', preset: 'age_over_20', extra_claims: 'refuse' }, keyC);
    expect(ok.json).toMatchObject({ valid: true, errors: [] });
    expect(ok.json.warnings).toBeUndefined();
  });

  it('through OpenID4VP: extra disclosures beyond the required and optional claims are dropped from the result', async () => {
    const created = await app.request('/v1/presentation-requests', {
      method: 'POST',
      headers: auth(keyC),
      body: JSON.stringify({ claims: [['birthdate'], { path: ['address', 'locality'], optional: true }] }),
    });
    const { request_uri } = (await created.json()) as { request_uri: string };
    const { res, id } = await wallet(request_uri, [['birthdate'], ['address', 'locality'], ['address', 'region'], ['family_name']]);
    expect(res.status).toBe(200);
    const view = (await (await app.request(`/v1/presentation-requests/${id}`, { headers: auth(keyC) })).json()) as {
      result: { disclosed: unknown; warnings: { code: string }[] };
    };
    expect(view.result.disclosed).toEqual({ birthdate: '1991-08-14', address: { locality: '千代田区' } });
    expect(view.result.warnings.map((w) => w.code)).toEqual(['extra_claims_dropped']);
    await evidence.flush();
    const row = (await store.evidence.listForClient(clientC, 100)).find((e) => e.requestId === id);
    expect(row?.disclosedNames).toEqual(['address.locality', 'birthdate']);
  });

  it('POST /v1/verify without nonce or aud refuses a holder-bound credential presented without key binding, unless "key_binding": "optional"', async () => {
    const vp = await present(await issuer.issue(), [['birthdate']], { nonce: 'n', aud: 'a', iat: clock });
    const credentialOnly = `${vp.slice(0, vp.lastIndexOf('~'))}~`;
    const refused = await verify({ presentation: credentialOnly, claims: [['birthdate']] }, keyC);
    expect(refused.json).toMatchObject({ valid: false, errors: [{ code: 'kb_missing' }], disclosed: {}, key_binding: 'absent' });
    const optional = await verify({ presentation: credentialOnly, claims: [['birthdate']], key_binding: 'optional' }, keyC);
    expect(optional.json).toMatchObject({ valid: true, key_binding: 'absent', disclosed: { birthdate: '1991-08-14' } });
    expect(optional.json.warnings).toEqual([{ code: 'key_binding_absent', message: expect.any(String) }]);
    // With key binding present and no nonce/aud expected, it is still checked and reported.
    const bound = await verify({ presentation: vp, claims: [['birthdate']] }, keyC);
    expect(bound.json).toMatchObject({ valid: true, key_binding: 'verified' });
  });
});
