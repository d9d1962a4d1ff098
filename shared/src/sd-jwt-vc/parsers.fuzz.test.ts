// Property-based hostile input for the shared parsers: every one either parses or throws a ShomeiError with a
// stable code, never anything else; mutated presentations are never accepted with different claims.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJws, signJws } from '../crypto/jws.js';
import { generateEs256KeyPair } from '../crypto/keys.js';
import { IDENTITY_VCT, type IdentityRecord, identityClaims, identityRecordSchema } from '../identity/schema.js';
import { credentialOfferSchema, credentialRequestSchema, parseCredentialOfferUri, tokenRequestSchema } from '../protocol/oid4vci.js';
import { parsePresentationRequestUri, requestObjectSchema, vpTokenSchema } from '../protocol/oid4vp.js';
import {
  anyJson,
  FUZZ_RUNS,
  FUZZ_TIMEOUT_MS,
  fuzzParams,
  jwsLike,
  mutationOf,
  sdJwtLike,
  segment,
  stableOutcome,
  stableOutcomeAsync,
} from '../testing/fuzz.js';
import { samplePerson, TARO } from '../testing/person.js';
import { parseWith } from '../validation.js';
import { decodeSdJwt } from './decode.js';
import { issueSdJwtVc } from './issue.js';
import { presentSdJwtVc } from './present.js';
import { type VerifySdJwtVcOptions, verifySdJwtVc } from './verify.js';

const issuerKey = generateEs256KeyPair();
const holder = generateEs256KeyPair();
const now = new Date('2026-11-21T00:00:00Z');
const NONCE = 'n-0123456789abcdef';
const record: IdentityRecord = samplePerson(TARO, ['phone_number']);
const options: VerifySdJwtVcOptions = {
  now,
  resolveIssuerKey: () => issuerKey.publicKey,
  expectedNonce: NONCE,
  expectedAud: 'verifier',
};

async function presentation(): Promise<string> {
  const credential = await issueSdJwtVc(
    { kid: 'k1', privateKey: issuerKey.privateKey, publicJwk: issuerKey.publicJwk },
    {
      issuer: 'http://127.0.0.1:4000',
      vct: IDENTITY_VCT,
      claims: identityClaims(record, now),
      visible: { verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2' } },
      holderJwk: holder.publicJwk,
      status: { idx: 3, uri: 'http://127.0.0.1:4000/status/1' },
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 86400_000),
      containersNotDisclosable: ['age_equal_or_over'],
    },
  );
  return presentSdJwtVc(credential, [['family_name'], ['birthdate'], ['address', 'locality']], {
    holderKey: holder.privateKey,
    nonce: NONCE,
    aud: 'verifier',
    iat: now,
  });
}

const T = FUZZ_TIMEOUT_MS;

describe(`shared parsers under hostile input (${FUZZ_RUNS} cases each)`, () => {
  it(
    'parseJws: JWS-looking and arbitrary strings',
    () => {
      fc.assert(
        fc.property(fc.oneof(jwsLike, fc.string({ unit: 'binary' })), (s) => {
          stableOutcome(() => parseJws(s));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'decodeSdJwt (SD-JWT and disclosure parsing): SD-JWT-looking strings',
    () => {
      fc.assert(
        fc.property(sdJwtLike, (s) => {
          stableOutcome(() => decodeSdJwt(s));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'verifySdJwtVc: structured garbage, including key-binding JWTs, is refused with a stable code',
    async () => {
      await fc.assert(
        fc.asyncProperty(sdJwtLike, async (s) => {
          expect(await stableOutcomeAsync(() => verifySdJwtVc(s, options))).toBeDefined();
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'verifySdJwtVc: edits of a valid presentation are refused, or (an encoding-only change) yield the same claims',
    async () => {
      const vp = await presentation();
      const original = (await verifySdJwtVc(vp, options)).claims;
      await fc.assert(
        fc.asyncProperty(mutationOf(vp), async (s) => {
          let claims: unknown;
          const code = await stableOutcomeAsync(async () => {
            claims = (await verifySdJwtVc(s, options)).claims;
          });
          if (code === undefined) expect(claims).toEqual(original);
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'a validly signed issuer JWT with a hostile payload and disclosures (signature passes, structure must not crash)',
    async () => {
      const payloadArb = fc.record(
        {
          iss: fc.oneof(fc.constant('http://127.0.0.1:4000'), anyJson),
          vct: fc.oneof(fc.constant(IDENTITY_VCT), anyJson),
          _sd: fc.oneof(fc.array(fc.oneof(fc.string(), anyJson), { maxLength: 5 }), anyJson),
          _sd_alg: fc.oneof(fc.constant('sha-256'), anyJson),
          cnf: fc.oneof(fc.constant({ jwk: holder.publicJwk }), anyJson),
          iat: fc.oneof(fc.constant(now.getTime() / 1000), anyJson),
          exp: anyJson,
          nbf: anyJson,
          status: anyJson,
          extra: fc.dictionary(fc.constantFrom('_sd', '...', 'a', 'address'), anyJson, { maxKeys: 3 }),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(
          payloadArb,
          fc.array(segment, { maxLength: 4 }),
          fc.option(jwsLike, { nil: undefined }),
          async (payload, ds, kb) => {
            const jwt = signJws({ alg: 'ES256', typ: 'dc+sd-jwt', kid: 'k1' }, payload, issuerKey.privateKey);
            const s = `${jwt}~${ds.map((d) => `${d}~`).join('')}${kb ?? ''}`;
            expect(await stableOutcomeAsync(() => verifySdJwtVc(s, options))).toBeDefined();
          },
        ),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'OpenID4VCI offers: parseCredentialOfferUri on arbitrary strings and on offers with arbitrary JSON',
    () => {
      const uri = fc.oneof(
        fc.string({ unit: 'binary' }),
        anyJson.map((j) => `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(j))}`),
        fc.string().map((s) => `openid-credential-offer://?credential_offer=${s}&credential_offer_uri=${s}`),
      );
      fc.assert(
        fc.property(uri, (s) => {
          stableOutcome(() => parseCredentialOfferUri(s));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'OpenID4VP request URIs: parsePresentationRequestUri on arbitrary strings',
    () => {
      const uri = fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.tuple(fc.string(), fc.string()).map(([a, b]) => `openid4vp://?client_id=${a}&request_uri=${b}`),
      );
      fc.assert(
        fc.property(uri, (s) => {
          stableOutcome(() => parsePresentationRequestUri(s));
        }),
        fuzzParams(),
      );
    },
    T,
  );

  it(
    'message schemas (token request, credential request, offer, request object, vp_token, identity record) through parseWith',
    () => {
      const schemas = [
        tokenRequestSchema,
        credentialRequestSchema,
        credentialOfferSchema,
        requestObjectSchema,
        vpTokenSchema,
        identityRecordSchema,
      ];
      fc.assert(
        fc.property(fc.nat({ max: schemas.length - 1 }), anyJson, (i, json) => {
          stableOutcome(() => parseWith(schemas[i] as (typeof schemas)[number], json, 'input'));
        }),
        fuzzParams(),
      );
    },
    T,
  );
});
