// Property-based hostile input against the issuer's parsers of untrusted input: the OpenID4VCI token and
// credential endpoints (proof JWTs), applications, document uploads, reliance assertions, JPKI certificate
// chains, and batch CSV/JSONL rows. Invariants: no 5xx, every refusal carries a stable code.
import { type KeyObject, sign } from 'node:crypto';
import { ERROR_CODES, generateEs256KeyPair, PRE_AUTHORIZED_GRANT, PROOF_TYP } from '@shomei/shared';
import { anyJson, FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParams, jwsLike, mutationOf, segment, stableOutcome } from '@shomei/shared/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvLine } from '../batch/csv.js';
import { CSV_COLUMNS, csvHeader, csvRow, validateRow } from '../batch/record.js';
import type { Upstream } from '../proofing/config.js';
import { checkUpload } from '../proofing/documents.js';
import { verifyJpkiSubmission } from '../proofing/jpki/verify.js';
import { KYC_ASSERTION_TYP, verifyRelianceAssertion } from '../proofing/reliance.js';
import {
  BASE,
  createHarness,
  credentialBody,
  freshAccessToken,
  type Harness,
  jsonRequest,
  makeOffer,
  nonce,
  proofJwt,
  START,
  taro,
} from '../testing/harness.js';
import { type JpkiWorld, jpkiWorld } from '../testing/jpki-fixtures.js';

const T = FUZZ_TIMEOUT_MS;

/** An ES256 signature over any header and payload, whatever `alg` the header claims. */
function es256(header: unknown, payload: unknown, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
/** What an error body may name: a stable code, or an OAuth error name (RFC 6749 §5.2) at the OAuth endpoints. */
const STABLE = new Set([...Object.keys(ERROR_CODES), 'unsupported_grant_type', 'invalid_client', 'unauthorized_client', 'invalid_scope']);

let h: Harness;
let world: JpkiWorld;
const tokens: string[] = [];
let cNonce: string;
const holder = generateEs256KeyPair();
const carrier = generateEs256KeyPair();
const upstreams: Upstream[] = [{ id: 'https://kyc.carrier.example', name: 'Carrier KYC', keys: [carrier.publicJwk], max_level: 'IAL2' }];

beforeAll(async () => {
  h = await createHarness({ settings: { applicationsPerMinute: 1_000_000 }, proofing: { upstreams } });
  for (let i = 0; i < 30; i++) tokens.push(await freshAccessToken(h));
  cNonce = await nonce(h);
  world = await jpkiWorld(START);
}, 60_000);
afterAll(() => h.close());

async function expectStableResponse(res: Response): Promise<void> {
  expect(res.status).toBeLessThan(500);
  if (res.status < 400) return;
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('json')) return;
  const body = JSON.parse(text) as { code?: string; error?: string };
  expect(STABLE.has((body.code ?? body.error) as string)).toBe(true);
}

const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=b',
  undefined,
);

describe(`issuer under hostile input (${FUZZ_RUNS} cases each)`, () => {
  it(
    'POST /token: token requests with arbitrary grants, codes and tx_codes',
    async () => {
      const real = await makeOffer(h);
      const field = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(PRE_AUTHORIZED_GRANT, real.code, real.tx_code, '', '000000'));
      const form = fc.dictionary(
        fc.constantFrom('grant_type', 'pre-authorized_code', 'tx_code', 'client_id', 'code', 'x'),
        fc.oneof(
          field,
          fc.array(field, { maxLength: 3 }).map((a) => a.join('&')),
        ),
        { maxKeys: 5 },
      );
      const body = fc.oneof(
        form.map((f) => new URLSearchParams(f).toString()),
        fc.string({ unit: 'binary' }),
        anyJson.map((j) => JSON.stringify(j)),
      );
      await fc.assert(
        fc.asyncProperty(body, contentType, async (b, ct) => {
          const headers: Record<string, string> = ct ? { 'content-type': ct } : {};
          await expectStableResponse(await h.app.request('/token', { method: 'POST', headers, body: b }));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'POST /credential: hostile proof JWTs (garbage, edits of a valid proof, validly signed with hostile fields) and bodies',
    async () => {
      const valid = proofJwt(holder, h, { nonce: cNonce });
      const hostileSigned = fc
        .tuple(
          fc.record(
            {
              typ: fc.oneof(fc.constant(PROOF_TYP), anyJson),
              alg: fc.oneof(fc.constantFrom('ES256', 'none', 'HS256', 'RS256'), anyJson),
              jwk: fc.oneof(fc.constant(holder.publicJwk), anyJson),
              kid: anyJson,
              x5c: anyJson,
            },
            { requiredKeys: [] },
          ),
          fc.record(
            {
              aud: fc.oneof(fc.constant(BASE), anyJson),
              iat: fc.oneof(fc.constant(Math.floor(START.getTime() / 1000)), anyJson),
              nonce: fc.oneof(fc.constant(cNonce), anyJson),
              iss: anyJson,
            },
            { requiredKeys: [] },
          ),
        )
        .map(([header, payload]) => es256({ alg: 'ES256', ...header }, payload, holder.privateKey));
      const proof = fc.oneof(jwsLike, mutationOf(valid), hostileSigned, anyJson);
      const body = fc.oneof(
        fc.array(proof, { minLength: 0, maxLength: 12 }).map((ps) => JSON.stringify(credentialBody(...(ps as string[])))),
        fc
          .record(
            {
              credential_configuration_id: anyJson,
              proofs: fc.oneof(anyJson, fc.record({ jwt: anyJson })),
              proof: anyJson,
              format: anyJson,
            },
            { requiredKeys: [] },
          )
          .map((j) => JSON.stringify(j)),
        fc.string({ unit: 'binary' }),
      );
      const auth = fc.oneof(
        fc.constantFrom(...tokens).map((t) => `Bearer ${t}`),
        fc.string().map((s) => `Bearer ${s}`),
        fc.string({ unit: 'binary' }),
        fc.constant(undefined),
      );
      await fc.assert(
        fc.asyncProperty(body, auth, contentType, async (b, a, ct) => {
          const headers: Record<string, string> = {};
          if (ct) headers['content-type'] = ct;
          if (a !== undefined) headers.authorization = a;
          let res: Response;
          try {
            res = await h.app.request('/credential', { method: 'POST', headers, body: b });
          } catch (e) {
            // A header value the fetch Headers API itself refuses never reaches the server.
            if (e instanceof TypeError) return;
            throw e;
          }
          await expectStableResponse(res);
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'POST /v1/applications: arbitrary application bodies (method, identity record, assertion)',
    async () => {
      const body = fc.oneof(
        anyJson.map((j) => JSON.stringify(j)),
        fc
          .record(
            {
              method: fc.oneof(fc.constantFrom('jpki', 'document', 'reliance', 'sandbox'), anyJson),
              identity: fc.oneof(
                fc.constant(taro),
                anyJson,
                fc.record({ ...Object.fromEntries(Object.keys(taro).map((k) => [k, anyJson])) }, { requiredKeys: [] }),
              ),
              assertion: fc.oneof(jwsLike, anyJson),
            },
            { requiredKeys: [] },
          )
          .map((j) => JSON.stringify(j)),
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          await expectStableResponse(
            await h.app.request('/v1/applications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b }),
          );
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'uploads: checkUpload on arbitrary bytes and declared types (magic bytes, size)',
    () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 32 }).map((b) => Uint8Array.from([0xff, 0xd8, 0xff, ...b])),
        fc.uint8Array({ maxLength: 32 }).map((b) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...b])),
      );
      const type = fc.oneof(fc.constantFrom('image/jpeg', 'image/png', 'image/gif', 'application/pdf', '', 'IMAGE/JPEG'), fc.string());
      fc.assert(
        fc.property(
          fc.constantFrom('id_document', 'selfie') as fc.Arbitrary<'id_document' | 'selfie'>,
          type,
          bytes,
          fc.nat({ max: 80 }),
          (kind, t, b, max) => {
            stableOutcome(() => checkUpload({ kind, type: t, bytes: b }, max));
          },
        ),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'POST /v1/applications/:id/documents: arbitrary multipart bodies',
    async () => {
      const created = (await (await jsonRequest(h, 'POST', '/v1/applications', { method: 'document', identity: taro })).json()) as {
        id: string;
        secret: string;
      };
      const part = fc.record({
        name: fc.constantFrom('id_document', 'selfie', 'other', ''),
        type: fc.constantFrom('image/jpeg', 'image/png', 'text/plain', ''),
        bytes: fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ maxLength: 16 }).map((b) => Uint8Array.from([0xff, 0xd8, 0xff, ...b])),
        ),
        asString: fc.boolean(),
      });
      const body = fc.oneof(
        fc.array(part, { maxLength: 4 }).map((parts) => {
          const form = new FormData();
          for (const p of parts) {
            if (p.asString) form.append(p.name, Buffer.from(p.bytes).toString('latin1'));
            else form.append(p.name, new Blob([p.bytes], { type: p.type }), 'f');
          }
          return form as string | FormData;
        }),
        fc.string({ unit: 'binary' }) as fc.Arbitrary<string | FormData>,
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const headers: Record<string, string> = { authorization: `Bearer ${created.secret}` };
          if (typeof b === 'string') headers['content-type'] = 'multipart/form-data; boundary=zz';
          await expectStableResponse(await h.app.request(`/v1/applications/${created.id}/documents`, { method: 'POST', headers, body: b }));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'reliance assertions: verifyRelianceAssertion on garbage and on validly signed assertions with hostile claims',
    () => {
      const t = Math.floor(START.getTime() / 1000);
      const signed = fc
        .record(
          {
            iss: fc.oneof(fc.constant(upstreams[0]?.id), anyJson),
            aud: fc.oneof(fc.constant(BASE), anyJson),
            iat: fc.oneof(fc.constant(t), anyJson),
            exp: fc.oneof(fc.constant(t + 300), anyJson),
            jti: anyJson,
            assurance_level: fc.oneof(fc.constantFrom('IAL1', 'IAL2', 'IAL3'), anyJson),
            verified_at: anyJson,
            identity: fc.oneof(fc.constant(taro), anyJson),
          },
          { requiredKeys: [] },
        )
        .chain((payload) =>
          fc
            .record({ typ: fc.oneof(fc.constant(KYC_ASSERTION_TYP), anyJson) }, { requiredKeys: [] })
            .map((header) => es256({ alg: 'ES256', ...header }, payload, carrier.privateKey)),
        );
      fc.assert(
        fc.property(fc.oneof(jwsLike, signed), (jwt) => {
          stableOutcome(() => verifyRelianceAssertion(jwt, upstreams, BASE, START));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'JPKI submissions: certificate chains of garbage, random DER, edited real certificates',
    async () => {
      const leaf = await world.applicant();
      const pem = leaf.cert.toString('pem');
      const b64 = leaf.cert.toString('base64');
      const cert = fc.oneof(
        fc.string({ unit: 'binary' }),
        segment,
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
        fc
          .uint8Array({ maxLength: 200 })
          .map((b) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(b).toString('base64')}\n-----END CERTIFICATE-----`),
        mutationOf(b64),
        fc.constant(pem),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(cert, { maxLength: 6 }),
          fc.uint8Array({ maxLength: 80 }),
          fc.string(),
          async (chain, signature, challenge) => {
            try {
              await verifyJpkiSubmission({ chain, signature, challenge }, world.trust, START);
            } catch (e) {
              stableOutcome(() => {
                throw e;
              });
            }
          },
        ),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'batch rows: CSV lines, CSV headers and JSONL rows through parseCsvLine, csvHeader, csvRow and validateRow',
    () => {
      const header = csvHeader(CSV_COLUMNS.join(','));
      const csvField = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.string({ maxLength: 8 }).map((s) => `"${s}"`),
        fc.constantFrom('"', '""', '"a""b"', ',', '\uFEFF', '1991-08-14', 'IAL2', 'document'),
      );
      const csvLine = fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.array(csvField, { minLength: 1, maxLength: CSV_COLUMNS.length + 2 }).map((f) => f.join(',')),
      );
      const headerLine = fc.oneof(
        csvLine,
        fc.shuffledSubarray([...CSV_COLUMNS, 'extra', 'family_name'], { minLength: 1 }).map((c) => c.join(',')),
      );
      const jsonlRow = fc.oneof(
        anyJson,
        fc.record(
          {
            external_id: anyJson,
            identity: fc.oneof(fc.constant(taro), anyJson),
            proofing: fc.oneof(
              fc.record({
                method: fc.constantFrom('document', 'jpki', 'x'),
                assurance_level: fc.constantFrom('IAL1', 'IAL3', 'x'),
                time: fc.constantFrom('2026-01-01T00:00:00Z', 'x'),
              }),
              anyJson,
            ),
            holder_jwk: fc.oneof(fc.constant(holder.publicJwk), fc.constant(JSON.stringify(holder.publicJwk)), anyJson),
          },
          { requiredKeys: [] },
        ),
      );
      fc.assert(
        fc.property(csvLine, headerLine, jsonlRow, fc.boolean(), (line, head, row, needsKey) => {
          stableOutcome(() => parseCsvLine(line));
          stableOutcome(() => csvHeader(head));
          stableOutcome(() => validateRow(csvRow(line, header), needsKey, START));
          stableOutcome(() => validateRow(row, needsKey, START));
        }),
        fuzzParams(),
      );
    },
    T,
  );
});
