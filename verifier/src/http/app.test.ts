import {
  type DidDocument,
  KeyVault,
  parseJws,
  parsePresentationRequestUri,
  publicKeyFromJwk,
  REQUEST_OBJECT_TYP,
  requestObjectSchema,
  STATUS,
  verifyJwsSignature,
} from '@shomei/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../clients/api-keys.js';
import { loadVerifierIdentity, type VerifierIdentity } from '../keys.js';
import type { Logger } from '../log.js';
import { StatusListCache } from '../status/status-list-cache.js';
import { openSqliteVerifierStore } from '../store/sql-store.js';
import type { VerifierStore } from '../store/types.js';
import { ADDRESS_PATHS, type IssuerStandIn, present, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { TrustStore } from '../trust/trust-store.js';
import { type AppDeps, createApp } from './app.js';

const BASE = 'http://127.0.0.1:5000';
const START = new Date('2026-11-21T03:00:00Z');
let clock = START;
const now = () => clock;

const logLines: string[] = [];
const log: Logger = { info: (m) => logLines.push(m), warn: (m) => logLines.push(m), error: (m) => logLines.push(m) };

let issuer: IssuerStandIn;
let store: VerifierStore;
let identity: VerifierIdentity;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let keyA: string;
let keyB: string;
const REVOKED_IDX = 13;

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
  issuer.list.set(REVOKED_IDX, STATUS.INVALID);
  const sqlite = openSqliteVerifierStore(':memory:');
  store = sqlite;
  const vault = await KeyVault.open(sqlite.vault, 'test vault secret');
  identity = await loadVerifierIdentity(vault, BASE);
  // Discovery (no pinned keys): the direct_post path has to fetch keys and the status list over HTTP.
  const trust = new TrustStore({ issuers: [{ iss: issuer.iss }] }, { now, log });
  deps = { store, identity, sealer: vault, trust, statusLists: new StatusListCache({ trust, now, log }), baseUrl: BASE, now, log };
  app = createApp(deps);
  keyA = (await createClient(store.clients, '酒のやまだ屋 / Yamada Liquor', START)).apiKey;
  keyB = (await createClient(store.clients, 'Other Business', START)).apiKey;
});
afterAll(async () => {
  await issuer.close();
  store.close();
});
beforeEach(() => {
  clock = START;
});

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

async function createRequest(body: unknown, key = keyA) {
  const res = await app.request('/v1/presentation-requests', {
    method: 'POST',
    headers: { ...auth(key), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json()) as Record<string, unknown> };
}

/** What a wallet does with a request URI: fetch the request object and check it against the verifier's DID document. */
async function fetchRequestObject(requestUri: string) {
  const { clientId, requestUri: objectUrl } = parsePresentationRequestUri(requestUri);
  const res = await app.request(objectUrl.slice(BASE.length));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/oauth-authz-req+jwt');
  const jws = parseJws(await res.text());
  const didDoc = (await (await app.request('/.well-known/did.json')).json()) as DidDocument;
  const method = didDoc.verificationMethod.find((m) => m.id === jws.header.kid);
  if (!method) throw new Error('request object kid is not in the DID document');
  verifyJwsSignature(jws, publicKeyFromJwk(method.publicKeyJwk), { allowed: ['ES256'] });
  return { header: jws.header, payload: requestObjectSchema.parse(jws.payload), clientId };
}

async function postResponse(id: string, form: Record<string, string>) {
  return app.request(`/oid4vp/responses/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** A wallet answering: presents `paths` of a fresh credential with a key binding to the request. */
async function answer(requestUri: string, paths: string[][], over: { nonce?: string; aud?: string; idx?: number } = {}) {
  const { payload } = await fetchRequestObject(requestUri);
  const credential = await issuer.issue({ idx: over.idx });
  const vp = await present(credential, paths, { nonce: over.nonce ?? payload.nonce, aud: over.aud ?? payload.client_id, iat: clock });
  const form = { vp_token: JSON.stringify({ identity: [vp] }), state: payload.state };
  const id = new URL(payload.response_uri).pathname.split('/').pop() as string;
  return { res: await postResponse(id, form), form, id, vp };
}

async function getRequest(id: string, key = keyA) {
  const res = await app.request(`/v1/presentation-requests/${id}`, { headers: auth(key) });
  return { res, json: (await res.json()) as Record<string, unknown> };
}

describe('business API', () => {
  it('requires a valid API key', async () => {
    const none = await app.request('/v1/presentation-requests', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    const wrong = await createRequest({ preset: 'age_over_20' }, `shv_${'A'.repeat(43)}`);
    expect(wrong.res.status).toBe(401);
    expect((await getRequest('x', 'not-a-key')).res.status).toBe(401);
  });

  it('validates the request input', async () => {
    for (const body of [
      {},
      { preset: 'everything' },
      { claims: [['mynumber']] },
      { claims: [] },
      { preset: 'age_over_20', claims: [['birthdate']] },
      { claims: Array.from({ length: 21 }, () => ['birthdate']) },
      { preset: 'age_over_20', extra: 1 },
    ]) {
      const { res, json } = await createRequest(body);
      expect(res.status).toBe(400);
      expect(json.code).toBe('invalid_request');
    }
    const notJson = await app.request('/v1/presentation-requests', {
      method: 'POST',
      headers: { ...auth(keyA), 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('creates a pending request with an openid4vp request URI that expires after 5 minutes', async () => {
    const { res, json } = await createRequest({ preset: 'age_over_20' });
    expect(res.status).toBe(201);
    expect(json.status).toBe('pending');
    expect(json.expires_at).toBe(new Date(START.getTime() + 300_000).toISOString());
    const { clientId, requestUri } = parsePresentationRequestUri(json.request_uri as string);
    expect(clientId).toBe(identity.clientId);
    expect(clientId).toBe('decentralized_identifier:did:web:127.0.0.1%3A5000');
    expect(requestUri).toBe(`${BASE}/oid4vp/requests/${json.id}`);
  });

  it('shows a business only its own requests', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    expect((await getRequest(json.id as string)).res.status).toBe(200);
    const other = await getRequest(json.id as string, keyB);
    expect(other.res.status).toBe(404);
    expect(other.json.code).toBe('not_found');
    expect((await getRequest('00000000-0000-0000-0000-000000000000')).res.status).toBe(404);
  });

  it('refuses a body larger than 16 KiB', async () => {
    const { res, json } = await createRequest({ preset: 'age_over_20', purpose: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect(json.code).toBe('payload_too_large');
  });
});

describe('OpenID4VP', () => {
  it('serves its did:web document with the request-signing key', async () => {
    const res = await app.request('/.well-known/did.json');
    const doc = (await res.json()) as DidDocument;
    expect(doc.id).toBe('did:web:127.0.0.1%3A5000');
    expect(doc.verificationMethod[0]?.id).toBe(identity.verificationMethodId);
    expect(doc.verificationMethod[0]?.publicKeyJwk).not.toHaveProperty('d');
  });

  it('signs a request object that verifies against the served DID document', async () => {
    const { json } = await createRequest({ preset: 'identity_basic', purpose: '口座開設 / Account opening' });
    const { header, payload } = await fetchRequestObject(json.request_uri as string);
    expect(header).toMatchObject({ typ: REQUEST_OBJECT_TYP, alg: 'ES256', kid: identity.verificationMethodId });
    expect(payload).toMatchObject({
      client_id: identity.clientId,
      aud: 'https://self-issued.me/v2',
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${BASE}/oid4vp/responses/${json.id}`,
      purpose: '口座開設 / Account opening',
      client_metadata: {
        client_name: '酒のやまだ屋 / Yamada Liquor',
        vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
      },
      dcql_query: {
        credentials: [
          {
            id: 'identity',
            format: 'dc+sd-jwt',
            meta: { vct_values: ['urn:shomei:vct:jp-identity:1'] },
            claims: [
              { id: 'c0', path: ['family_name'] },
              { id: 'c1', path: ['given_name'] },
              { id: 'c2', path: ['birthdate'] },
              { id: 'c3', path: ['address'] },
            ],
          },
        ],
      },
      iat: START.getTime() / 1000,
      exp: START.getTime() / 1000 + 300,
    });
    // OpenID4VP 1.0 §5: client_id identifies the verifier; an `iss` (the prefixed client id is
    // not the DID in `kid`) makes the OWF wallet library refuse the request object.
    expect(payload).not.toHaveProperty('iss');
    expect(Buffer.from(payload.nonce, 'base64url').length).toBeGreaterThanOrEqual(16);
    const second = await createRequest({ preset: 'identity_basic' });
    const other = await fetchRequestObject(second.json.request_uri as string);
    expect(other.payload.nonce).not.toBe(payload.nonce);
    expect(other.payload.state).not.toBe(payload.state);
  });

  it('accepts an age check, disclosing only age_equal_or_over.20, and refuses a replay with 409', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const { res, form, id } = await answer(json.request_uri as string, [['age_equal_or_over', '20']]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', errors: [] });

    const view = await getRequest(id);
    expect(view.json).toMatchObject({ id, status: 'accepted', preset: 'age_over_20', purpose: '年齢確認 (20歳以上) / Age check (20+)' });
    expect(view.json.completed_at).toBe(START.toISOString());
    expect(view.json.result).toMatchObject({
      valid: true,
      issuer: issuer.iss,
      assurance_level: 'IAL2',
      status: 'valid',
      key_binding: 'verified',
      disclosed: { age_equal_or_over: { '20': true } },
    });
    expect((view.json.result as { disclosed: unknown }).disclosed).toEqual({ age_equal_or_over: { '20': true } });

    const replay = await postResponse(id, form);
    expect(replay.status).toBe(409);
    expect(replay.headers.get('content-type')).toBe('application/problem+json');
    expect(await replay.json()).toMatchObject({ status: 409, code: 'replay' });
    expect((await app.request(`/oid4vp/requests/${id}`)).status).toBe(409);
    expect((await getRequest(id)).json.status).toBe('accepted');
  });

  it('accepts identity_basic with the whole address', async () => {
    const { json } = await createRequest({ preset: 'identity_basic' });
    const { res, id } = await answer(json.request_uri as string, [
      ['family_name'],
      ['given_name'],
      ['birthdate'],
      ['address'],
      ...ADDRESS_PATHS,
    ]);
    expect(await res.json()).toEqual({ status: 'accepted', errors: [] });
    const result = (await getRequest(id)).json.result as { disclosed: Record<string, unknown> };
    expect(Object.keys(result.disclosed).sort()).toEqual(['address', 'birthdate', 'family_name', 'given_name']);
    expect(result.disclosed.birthdate).toBe('1991-08-14');
  });

  it('accepts a custom claim list', async () => {
    const { json } = await createRequest({
      claims: [
        ['address', 'region'],
        ['age_equal_or_over', '18'],
      ],
    });
    expect(json.status).toBe('pending');
    const { res, id } = await answer(json.request_uri as string, [
      ['address', 'region'],
      ['age_equal_or_over', '18'],
    ]);
    expect(await res.json()).toEqual({ status: 'accepted', errors: [] });
    const view = await getRequest(id);
    expect(view.json.preset).toBeNull();
    expect((view.json.result as { disclosed: unknown }).disclosed).toEqual({
      address: { region: '東京都' },
      age_equal_or_over: { '18': true },
    });
  });

  it('rejects a presentation missing a requested claim (claim_missing)', async () => {
    const { json } = await createRequest({ preset: 'identity_basic' });
    const { res, id } = await answer(json.request_uri as string, [['family_name'], ['given_name'], ['address'], ...ADDRESS_PATHS]);
    expect(await res.json()).toEqual({
      status: 'rejected',
      errors: [{ code: 'claim_missing', message: 'the requested claim birthdate was not disclosed' }],
    });
    const view = await getRequest(id);
    expect(view.json.status).toBe('rejected');
    expect((view.json.result as { disclosed: unknown }).disclosed).toEqual({});
  });

  it('rejects a key binding made for another nonce or another audience', async () => {
    const a = await createRequest({ preset: 'age_over_20' });
    const wrongNonce = await answer(a.json.request_uri as string, [['age_equal_or_over', '20']], { nonce: 'bm90LXRoZS1yZXF1ZXN0LW5vbmNl' });
    expect(await wrongNonce.res.json()).toMatchObject({ status: 'rejected', errors: [{ code: 'kb_nonce_mismatch' }] });
    const b = await createRequest({ preset: 'age_over_20' });
    const wrongAud = await answer(b.json.request_uri as string, [['age_equal_or_over', '20']], { aud: BASE });
    expect(await wrongAud.res.json()).toMatchObject({ status: 'rejected', errors: [{ code: 'kb_aud_mismatch' }] });
  });

  it('rejects a revoked credential after fetching the status list', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const { res, id } = await answer(json.request_uri as string, [['age_equal_or_over', '20']], { idx: REVOKED_IDX });
    expect(await res.json()).toMatchObject({ status: 'rejected', errors: [{ code: 'revoked' }] });
    expect((await getRequest(id)).json.result).toMatchObject({ status: 'revoked', valid: false });
  });

  it('records a refusal as rejected with consent_refused', async () => {
    const { json } = await createRequest({ preset: 'identity_basic' });
    const { payload } = await fetchRequestObject(json.request_uri as string);
    const res = await postResponse(json.id as string, {
      error: 'access_denied',
      error_description: 'the user said no',
      state: payload.state,
    });
    expect(await res.json()).toEqual({
      status: 'rejected',
      errors: [{ code: 'consent_refused', message: 'the person declined to share the requested claims' }],
    });
    const view = await getRequest(json.id as string);
    expect(view.json.status).toBe('rejected');
    expect((view.json.result as { errors: unknown }).errors).toEqual([{ code: 'consent_refused', message: expect.any(String) }]);
  });

  it('ignores a response with the wrong state without consuming the request', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const { payload } = await fetchRequestObject(json.request_uri as string);
    const bad = await postResponse(json.id as string, { vp_token: '{}', state: 'not-the-state' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_request' });
    expect((await getRequest(json.id as string)).json.status).toBe('pending');
    const { res } = await answer(json.request_uri as string, [['age_equal_or_over', '20']]);
    expect(payload.state).toBeTruthy();
    expect(await res.json()).toEqual({ status: 'accepted', errors: [] });
  });

  it('refuses a malformed response body and a second form parameter', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const id = json.id as string;
    const noFields = await postResponse(id, { state: 'x' });
    expect(noFields.status).toBe(400);
    const asJson = await app.request(`/oid4vp/responses/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(asJson.status).toBe(400);
    const repeated = await app.request(`/oid4vp/responses/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'state=a&state=b&vp_token=x',
    });
    expect(repeated.status).toBe(400);
    expect((await postResponse('no-such-request', { vp_token: '{}', state: 'x' })).status).toBe(404);
  });

  it('rejects a vp_token that is not keyed by the credential query id', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const { payload } = await fetchRequestObject(json.request_uri as string);
    const res = await postResponse(json.id as string, { vp_token: JSON.stringify({ other: ['x~'] }), state: payload.state });
    expect(await res.json()).toMatchObject({ status: 'rejected', errors: [{ code: 'malformed' }] });
  });

  it('lets exactly one of two concurrent responses through', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const { payload } = await fetchRequestObject(json.request_uri as string);
    const vp = await present(await issuer.issue(), [['age_equal_or_over', '20']], {
      nonce: payload.nonce,
      aud: payload.client_id,
      iat: clock,
    });
    const form = { vp_token: JSON.stringify({ identity: [vp] }), state: payload.state };
    const results = await Promise.all([postResponse(json.id as string, form), postResponse(json.id as string, form)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('expires a request after 5 minutes', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const { payload } = await fetchRequestObject(json.request_uri as string);
    clock = new Date(START.getTime() + 300_000);
    expect((await getRequest(json.id as string)).json.status).toBe('expired');
    const late = await app.request(`/oid4vp/requests/${json.id}`);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ code: 'expired' });
    const vp = await present(await issuer.issue(), [['age_equal_or_over', '20']], {
      nonce: payload.nonce,
      aud: payload.client_id,
      iat: clock,
    });
    const res = await postResponse(json.id as string, { vp_token: JSON.stringify({ identity: [vp] }), state: payload.state });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'expired' });
  });

  it('refuses a response body larger than 512 KiB', async () => {
    const { json } = await createRequest({ preset: 'age_over_20' });
    const res = await postResponse(json.id as string, { vp_token: 'x'.repeat(513 * 1024), state: 'x' });
    expect(res.status).toBe(413);
    expect((await getRequest(json.id as string)).json.status).toBe('pending');
  });

  it('answers an unexpected failure with a 500 that says nothing and logs no message', async () => {
    const failing = createApp({
      ...deps,
      store: {
        ...store,
        requests: {
          ...store.requests,
          get: async () => {
            throw new Error('SQLITE said something about nonce-value-123');
          },
        },
      },
    });
    const before = logLines.length;
    const res = await failing.request('/oid4vp/requests/some-id');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      type: 'urn:shomei:error:internal',
      title: 'Internal',
      status: 500,
      code: 'internal',
      detail: 'internal error',
    });
    const logged = logLines.slice(before).join('\n');
    expect(logged).toContain('internal error');
    expect(logged).not.toContain('nonce-value-123');
  });

  it('logs no claim value, nonce, presentation or API key', async () => {
    const { json } = await createRequest({ preset: 'identity_basic' });
    const { payload } = await fetchRequestObject(json.request_uri as string);
    const { vp } = await answer(json.request_uri as string, [
      ['family_name'],
      ['given_name'],
      ['birthdate'],
      ['address'],
      ...ADDRESS_PATHS,
    ]);
    const all = logLines.join('\n');
    expect(all).toContain('accepted');
    for (const secret of ['山田', '1991-08-14', '千代田', payload.nonce, payload.state, vp.slice(0, 40), keyA]) {
      expect(all).not.toContain(secret);
    }
  });
});
