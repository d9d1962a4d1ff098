// Interop: the real issuer process driven by the OpenWallet Foundation's OpenID4VCI client
// (@openid4vc/openid4vci 0.4.6, its own validation on), each credential then verified on its own by
// the OWF's SD-JWT VC library (@sd-jwt/sd-jwt-vc 0.19.0) against the issuer's published JWKS.
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, newSecret, type SandboxOfferOutput, type Service, sandboxOfferByCli, startService } from '../../scripts/lib/harness.mjs';
import { obtainCredentialWithOwf } from './lib/owf-holder.js';

let dir: string;
let issuer: Service;
const adminToken = newSecret();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-owf-'));
  issuer = await startService(BIN.issuer, ['serve', '--host', '127.0.0.1', '--port', '0', '--data', join(dir, 'issuer'), '--sandbox'], {
    env: { SHOMEI_ISSUER_SECRET: newSecret(), SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
  });
}, 60_000);

afterAll(async () => {
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A sandbox offer made the way an operator makes one: `shomei-issuer sandbox offer … --json`. */
function sandboxOffer(): Promise<SandboxOfferOutput> {
  return sandboxOfferByCli(issuer.url, adminToken, dir);
}

/** Verifies an SD-JWT VC with @sd-jwt/sd-jwt-vc against the issuer's `/.well-known/jwt-vc-issuer` keys (status list included). */
async function verifyIndependently(credential: string) {
  const res = await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`);
  expect(res.status).toBe(200);
  const meta = (await res.json()) as { issuer: string; jwks: JSONWebKeySet };
  expect(meta.issuer).toBe(issuer.url);
  const keys = createLocalJWKSet(meta.jwks);
  const verifier = async (data: string, sig: string) => {
    try {
      await compactVerify(`${data}.${sig}`, keys, { algorithms: ['ES256'] });
      return true;
    } catch {
      return false;
    }
  };
  const sdjwt = new SDJwtVcInstance({ hasher: digest, verifier, statusVerifier: verifier });
  return sdjwt.verify(credential);
}

function cnfOf(payload: Record<string, unknown>): JsonWebKey {
  return (payload.cnf as { jwk: JsonWebKey }).jwk;
}

describe('issuance with the OWF OpenID4VCI client (real issuer process)', () => {
  it('OpenID4VCI 1.0, offer by value: a batch of 2 proofs gets 2 credentials, each bound to its own key', async () => {
    const offer = await sandboxOffer();
    const got = await obtainCredentialWithOwf({ offerUri: offer.offer_uri, txCode: offer.tx_code, batch: 2 });
    expect(got.credentialRequest).toMatchObject({ credential_configuration_id: 'jp_identity_sd_jwt' });
    expect((got.credentialRequest.proofs as { jwt: string[] }).jwt).toHaveLength(2);
    expect(got.credentialRequest.proof).toBeUndefined();
    expect(got.credentialResponse.credentials).toHaveLength(2);
    expect(got.all).toHaveLength(2);
    expect(got.all[0]?.holderPublicJwk.x).not.toBe(got.all[1]?.holderPublicJwk.x);
    for (const held of got.all) {
      const { payload } = await verifyIndependently(held.credential);
      expect(payload.iss).toBe(issuer.url);
      expect(payload.vct).toBe('urn:shomei:vct:jp-identity:1');
      expect(cnfOf(payload)).toMatchObject({ x: held.holderPublicJwk.x, y: held.holderPublicJwk.y });
    }
  });

  it('OpenID4VCI 1.0, offer by reference: the client fetches credential_offer_uri and gets a credential', async () => {
    const offer = await sandboxOffer();
    expect(offer.offer_uri_by_reference).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/);
    const got = await obtainCredentialWithOwf({ offerUri: offer.offer_uri_by_reference as string, txCode: offer.tx_code });
    const { payload } = await verifyIndependently(got.credential);
    expect(cnfOf(payload)).toMatchObject({ x: got.holderPublicJwk.x });
    // The code is spent: the reference now answers 404, not the offer again.
    const ref = new URL(offer.offer_uri_by_reference as string).searchParams.get('credential_offer_uri') as string;
    const again = await fetch(ref);
    expect(again.status).toBe(404);
    expect(((await again.json()) as { code: string }).code).toBe('not_found');
  });

  it('a draft-15 client sending the singular proof gets the draft-15 answer {credentials: [{credential}]}', async () => {
    const offer = await sandboxOffer();
    const got = await obtainCredentialWithOwf({
      offerUri: offer.offer_uri_by_reference as string,
      txCode: offer.tx_code,
      dialect: 'draft15-proof',
    });
    expect(got.credentialRequest).toMatchObject({ credential_configuration_id: 'jp_identity_sd_jwt', proof: { proof_type: 'jwt' } });
    expect(got.credentialRequest.proofs).toBeUndefined();
    expect(got.credentialResponse.credentials).toEqual([{ credential: got.credential }]);
    const { payload } = await verifyIndependently(got.credential);
    expect(cnfOf(payload)).toMatchObject({ x: got.holderPublicJwk.x });
  });

  it('a draft-13/14 client sending format vc+sd-jwt + vct + proof gets the draft-13 answer {credential, c_nonce}', async () => {
    const offer = await sandboxOffer();
    const got = await obtainCredentialWithOwf({ offerUri: offer.offer_uri, txCode: offer.tx_code, dialect: 'draft14-format' });
    expect(got.credentialRequest).toMatchObject({ format: 'vc+sd-jwt', vct: 'urn:shomei:vct:jp-identity:1', proof: { proof_type: 'jwt' } });
    expect(got.credentialRequest.credential_configuration_id).toBeUndefined();
    expect(got.credentialResponse.credential).toBe(got.credential);
    expect(got.credentialResponse.credentials).toBeUndefined();
    expect(typeof got.credentialResponse.c_nonce).toBe('string');
    const { payload } = await verifyIndependently(got.credential);
    expect(cnfOf(payload)).toMatchObject({ x: got.holderPublicJwk.x });
  });

  it('the issuer logs a one-line warning naming the tolerated shape, without tokens or JWTs', () => {
    const warnings = issuer
      .output()
      .split('\n')
      .filter((l) => l.includes('tolerated pre-1.0 shape'));
    expect(warnings.some((l) => l.includes('(proof-singular)'))).toBe(true);
    expect(warnings.some((l) => l.includes('(draft-13)'))).toBe(true);
    expect(warnings.every((l) => !l.includes('eyJ'))).toBe(true); // no token or JWT in a log line
  });
});

describe('credential endpoint refusals over real HTTP', () => {
  /** Redeems a fresh sandbox offer by hand; returns the access token and a proof JWT (jose) on the token response's c_nonce. */
  async function tokenAndProof(): Promise<{ accessToken: string; jwt: string }> {
    const offer = await sandboxOffer();
    const code = (
      JSON.parse(new URL(offer.offer_uri).searchParams.get('credential_offer') as string) as {
        grants: Record<string, { 'pre-authorized_code': string }>;
      }
    ).grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] as string;
    const tokenRes = await fetch(`${issuer.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': code,
        tx_code: offer.tx_code,
      }),
    });
    expect(tokenRes.status).toBe(200);
    const token = (await tokenRes.json()) as { access_token: string; c_nonce: string };
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    const jwt = await new SignJWT({ aud: issuer.url, nonce: token.c_nonce })
      .setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: { kty: kty as string, crv, x, y } })
      .setIssuedAt()
      .sign(privateKey);
    return { accessToken: token.access_token, jwt };
  }

  async function credentialCall(accessToken: string, body: unknown) {
    const res = await fetch(`${issuer.url}/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: string; credential?: string } };
  }

  it('both proof and proofs: 400 invalid_credential_request; the same proof alone then succeeds', async () => {
    const { accessToken, jwt } = await tokenAndProof();
    const both = await credentialCall(accessToken, {
      credential_configuration_id: 'jp_identity_sd_jwt',
      proof: { proof_type: 'jwt', jwt },
      proofs: { jwt: [jwt] },
    });
    expect(both).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_credential_request' }) });
    const alone = await credentialCall(accessToken, {
      format: 'dc+sd-jwt',
      vct: 'urn:shomei:vct:jp-identity:1',
      proof: { proof_type: 'jwt', jwt },
    });
    expect(alone.status).toBe(200);
    await verifyIndependently(alone.body.credential as string);
  });

  it('a vct it does not issue: 400 unknown_credential_configuration', async () => {
    const { accessToken, jwt } = await tokenAndProof();
    const other = await credentialCall(accessToken, { format: 'vc+sd-jwt', vct: 'urn:example:other', proof: { proof_type: 'jwt', jwt } });
    expect(other).toEqual({ status: 400, body: expect.objectContaining({ error: 'unknown_credential_configuration' }) });
  });
});
