// Property-based hostile input against the verifier: its verification function, its trust file parser and its
// HTTP endpoints that take untrusted bodies (the wallet's direct_post, the business /v1/verify, request ids).
// Invariants: no 5xx, no throw out of verifyPresentation, every refusal carries a stable code.
import { ERROR_CODES, KeyVault, parsePresentationRequestUri } from '@shomei/shared';
import { anyJson, FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParams, mutationOf, sdJwtLike, stableOutcome } from '@shomei/shared/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../clients/api-keys.js';
import { loadVerifierIdentity } from '../keys.js';
import type { Logger } from '../log.js';
import { StatusListCache } from '../status/status-list-cache.js';
import { openSqliteVerifierStore } from '../store/sql-store.js';
import type { VerifierStore } from '../store/types.js';
import { type IssuerStandIn, present, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { TrustStore } from '../trust/trust-store.js';
import { parseTrustConfig } from '../trust/z-trust-config.js';
import { verifyPresentation } from '../verify/verify-presentation.js';
import { createApp } from './app.js';

const BASE = 'http://127.0.0.1:5000';
const NOW = new Date('2026-11-21T03:00:00Z');
const now = () => NOW;
const log: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const T = FUZZ_TIMEOUT_MS;

let issuer: IssuerStandIn;
let store: VerifierStore;
let trust: TrustStore;
let statusLists: StatusListCache;
let app: ReturnType<typeof createApp>;
let apiKey: string;
let validVp: string;
let nonce: string;
let aud: string;
const requestIds: string[] = [];

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
  const sqlite = openSqliteVerifierStore(':memory:');
  store = sqlite;
  const vault = await KeyVault.open(sqlite.vault, 'test vault secret');
  const identity = await loadVerifierIdentity(vault, BASE);
  trust = new TrustStore({ issuers: [{ iss: issuer.iss, keys: [{ ...issuer.key.publicJwk, kid: issuer.kid }] }] }, { now, log });
  statusLists = new StatusListCache({ trust, now, log });
  statusLists.ingest(issuer.statusUri, issuer.iss, issuer.statusToken());
  app = createApp({ store, identity, sealer: vault, trust, statusLists, baseUrl: BASE, now, log });
  apiKey = (await createClient(store.clients, 'Fuzz Shop', NOW)).apiKey;
  for (let i = 0; i < 20; i++) {
    const res = await app.request('/v1/presentation-requests', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ preset: 'age_over_20' }),
    });
    const json = (await res.json()) as { id: string; request_uri: string };
    requestIds.push(json.id);
    if (i === 0) {
      const { clientId } = parsePresentationRequestUri(json.request_uri);
      aud = clientId;
    }
  }
  nonce = 'fuzz-nonce-0123456789abcdef';
  validVp = await present(await issuer.issue(), [['age_equal_or_over', '20'], ['birthdate']], { nonce, aud, iat: NOW });
}, 60_000);
afterAll(async () => {
  await issuer.close();
  store.close();
});

const verifyOptions = () => ({ now: NOW, trust, statusLists, expectedNonce: nonce, expectedAud: aud });

function expectStableResult(r: { valid: boolean; errors: { code: string }[] }): void {
  for (const e of r.errors) expect(Object.keys(ERROR_CODES)).toContain(e.code);
  if (!r.valid) expect(r.errors.length).toBeGreaterThan(0);
}

/** A response never 5xx; a problem body always has a stable code; a result body stable error codes. */
async function expectStableResponse(res: Response): Promise<void> {
  expect(res.status).toBeLessThan(500);
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('json')) return;
  const body = JSON.parse(text) as { code?: string; errors?: { code: string }[]; valid?: boolean };
  if (res.status >= 400) expect(Object.keys(ERROR_CODES)).toContain(body.code);
  for (const e of body.errors ?? []) expect(Object.keys(ERROR_CODES)).toContain(e.code);
}

const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded; charset=utf-16',
  undefined,
);

describe(`verifier under hostile input (${FUZZ_RUNS} cases each)`, () => {
  it(
    'verifyPresentation: SD-JWT-looking garbage never throws and is never valid',
    async () => {
      await fc.assert(
        fc.asyncProperty(sdJwtLike, async (s) => {
          const r = await verifyPresentation(s, verifyOptions());
          expect(r.valid).toBe(false);
          expectStableResult(r);
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'verifyPresentation: edits of a valid presentation are refused, or (encoding only) disclose the same claims',
    async () => {
      const original = await verifyPresentation(validVp, verifyOptions());
      expect(original.valid).toBe(true);
      await fc.assert(
        fc.asyncProperty(mutationOf(validVp), async (s) => {
          const r = await verifyPresentation(s, verifyOptions());
          expectStableResult(r);
          if (r.valid) expect(r.disclosed).toEqual(original.disclosed);
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'trust files: parseTrustConfig on arbitrary JSON and trust-shaped JSON',
    () => {
      const trustShaped = fc.record(
        {
          issuers: fc.array(
            fc.record({ iss: fc.oneof(fc.webUrl(), anyJson), keys: anyJson, vcts: anyJson, max_assurance: anyJson }, { requiredKeys: [] }),
            { maxLength: 3 },
          ),
          anchors: anyJson,
          algorithms: fc.oneof(fc.array(fc.constantFrom('ES256', 'none', 'HS256', 'RS256', '')), anyJson),
          key_ttl_seconds: anyJson,
          status: anyJson,
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(fc.oneof(anyJson, trustShaped), (j) => {
          stableOutcome(() => parseTrustConfig(j));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'POST /oid4vp/responses/:id (the wallet direct_post): arbitrary bodies, content types and ids',
    async () => {
      const vpToken = fc.oneof(
        fc.string({ unit: 'binary' }),
        anyJson.map((j) => JSON.stringify(j)),
        fc.array(fc.oneof(sdJwtLike, mutationOf(validVp)), { maxLength: 3 }).map((a) => JSON.stringify({ identity: a })),
      );
      const form = fc.dictionary(
        fc.constantFrom('vp_token', 'state', 'error', 'error_description', 'presentation_submission', 'x'),
        fc.oneof(vpToken, fc.string()),
        { maxKeys: 4 },
      );
      const body = fc.oneof(
        form.map((f) => new URLSearchParams(f).toString()),
        anyJson.map((j) => JSON.stringify(j)),
        fc.string({ unit: 'binary' }),
      );
      const id = fc.oneof(fc.constantFrom(...requestIds), fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent));
      await fc.assert(
        fc.asyncProperty(id, body, contentType, async (i, b, ct) => {
          const headers: Record<string, string> = ct ? { 'content-type': ct } : {};
          await expectStableResponse(await app.request(`/oid4vp/responses/${i}`, { method: 'POST', headers, body: b }));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'POST /v1/verify (business): arbitrary JSON and presentations',
    async () => {
      const input = fc.oneof(
        anyJson.map((j) => JSON.stringify(j)),
        fc
          .record(
            {
              presentation: fc.oneof(sdJwtLike, mutationOf(validVp), anyJson),
              nonce: fc.oneof(fc.constant(nonce), anyJson),
              aud: fc.oneof(fc.constant(aud), anyJson),
              preset: fc.oneof(fc.constantFrom('age_over_20', 'identity_full', 'nope', 'constructor', '__proto__', 'valueOf'), anyJson),
              claims: anyJson,
              min_assurance: anyJson,
              max_credential_age_seconds: anyJson,
              mode: fc.oneof(fc.constantFrom('match', 'fill_in', 'toString'), anyJson),
              record: anyJson,
            },
            { requiredKeys: [] },
          )
          .map((j) => JSON.stringify(j)),
        fc.string({ unit: 'binary' }),
      );
      await fc.assert(
        fc.asyncProperty(input, contentType, async (b, ct) => {
          const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
          if (ct) headers['content-type'] = ct;
          await expectStableResponse(await app.request('/v1/verify', { method: 'POST', headers, body: b }));
        }),
        fuzzParams(),
      );
    },
    T,
  );
});
