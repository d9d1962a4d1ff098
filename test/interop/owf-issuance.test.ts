// Interop: the real issuer process driven by the OpenWallet Foundation's OpenID4VCI client
// (@openid4vc/openid4vci 0.4.6, its own validation on), each credential then verified on its own by
// the OWF's SD-JWT VC library (@sd-jwt/sd-jwt-vc 0.19.0) against the issuer's published JWKS.
import type { JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DEMO_IDENTITY, mustRun, newSecret, type Service, startService } from '../../scripts/lib/harness.mjs';
import { obtainCredentialWithOwf } from './lib/owf-holder.js';

let dir: string;
let issuer: Service;
const adminToken = newSecret();
let identityFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-owf-'));
  issuer = await startService(BIN.issuer, ['serve', '--host', '127.0.0.1', '--port', '0', '--data', join(dir, 'issuer'), '--sandbox'], {
    env: { SHOMEI_ISSUER_SECRET: newSecret(), SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
  });
  identityFile = join(dir, 'identity.json');
  writeFileSync(identityFile, JSON.stringify({ ...DEMO_IDENTITY }));
}, 60_000);

afterAll(async () => {
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface SandboxOffer {
  offer_uri: string;
  offer_uri_by_reference?: string;
  tx_code: string;
}

/** A sandbox offer made the way an operator makes one: `shomei-issuer sandbox offer … --json`. */
async function sandboxOffer(): Promise<SandboxOffer> {
  const out = await mustRun(BIN.issuer, ['sandbox', 'offer', '--issuer', issuer.url, '--identity', identityFile, '--json'], {
    env: { SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
  });
  return JSON.parse(out.stdout) as SandboxOffer;
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

describe('issuance with the OWF OpenID4VCI client (real issuer process)', () => {
  it('OpenID4VCI 1.0, offer by value: a batch of 2 proofs gets 2 credentials, each bound to its own key', async () => {
    const offer = await sandboxOffer();
    const got = await obtainCredentialWithOwf({ offerUri: offer.offer_uri, txCode: offer.tx_code, batch: 2 });
    expect(got.credentialRequest).toMatchObject({ credential_configuration_id: 'jp_identity_sd_jwt' });
    expect(got.credentialRequest.proofs).toBeDefined();
    expect(got.credentialRequest.proof).toBeUndefined();
    expect(got.credentialResponse.credentials).toHaveLength(2);
    expect(got.all).toHaveLength(2);
    for (const held of got.all) {
      const { payload } = await verifyIndependently(held.credential);
      expect(payload.iss).toBe(issuer.url);
      expect((payload.cnf as { jwk: JsonWebKey }).jwk).toMatchObject({ x: held.holderPublicJwk.x, y: held.holderPublicJwk.y });
    }
  });
});
