// Interop: the real verifier process answered by a wallet built on the OpenWallet Foundation's
// OpenID4VP client (@openid4vc/openid4vp 0.4.6, its validation on): it resolves our openid4vp://
// request (request_uri fetch, signed request object, client id prefix decentralized_identifier with
// did:web resolved through our callback), answers the DCQL query with a presentation made by the
// stock @sd-jwt/sd-jwt-vc 0.19.0 and submits it with the library's direct_post helper. The credential
// comes from the real issuer through the OWF OpenID4VCI client (lib/owf-holder.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallbackContext, Jwk, JwtSigner } from '@openid4vc/oauth2';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPresentationRequest, getPresentationRequest, sandboxOfferByCli, startNetwork } from '../../scripts/lib/harness.mjs';
import { type OwfHeldCredential, obtainCredentialWithOwf } from './lib/owf-holder.js';

type Network = Awaited<ReturnType<typeof startNetwork>>;
let dir: string;
let net: Network;
let held: OwfHeldCredential;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-owf-vp-'));
  net = await startNetwork(join(dir, 'net'));
  const offer = await sandboxOfferByCli(net.issuer.url, net.adminToken, dir);
  held = await obtainCredentialWithOwf({ offerUri: offer.offer_uri, txCode: offer.tx_code });
  // The verifier runs on loopback over plain http, which the OWF libraries refuse by default.
  setGlobalConfig({ allowInsecureUrls: true });
}, 120_000);

afterAll(async () => {
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** did:web (W3C did:web method §3.2): `did:web:host%3Aport` → `<scheme>://host:port/.well-known/did.json`; http only on loopback. */
function didWebDocumentUrl(did: string): string {
  const host = decodeURIComponent(did.slice('did:web:'.length).split(':')[0] ?? '');
  const loopback = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host);
  return `${loopback ? 'http' : 'https'}://${host}/.well-known/did.json`;
}

/** Resolves the DID URL in `kid` to its verification method's JWK and verifies the JWS with jose (ES256 only). */
async function verifyWithDidWeb(signer: JwtSigner, compact: string): Promise<{ verified: true; signerJwk: Jwk } | { verified: false }> {
  if (signer.method !== 'did') return { verified: false };
  const [did] = signer.didUrl.split('#');
  if (!did?.startsWith('did:web:')) return { verified: false };
  const doc = (await (await fetch(didWebDocumentUrl(did))).json()) as {
    id: string;
    verificationMethod?: { id: string; publicKeyJwk: JWK }[];
  };
  if (doc.id !== did) return { verified: false };
  const method = doc.verificationMethod?.find((m) => m.id === signer.didUrl);
  if (!method) return { verified: false };
  try {
    await compactVerify(compact, await importJWK(method.publicKeyJwk, 'ES256'), { algorithms: ['ES256'] });
    return { verified: true, signerJwk: method.publicKeyJwk as Jwk };
  } catch {
    return { verified: false };
  }
}

const seenRequestObjects: string[] = [];
const callbacks: Openid4vpClientCallbacks = {
  verifyJwt: async (signer, { compact }) => {
    seenRequestObjects.push(compact);
    return verifyWithDidWeb(signer, compact);
  },
  fetch: (input, init) => fetch(input, init),
  hash: (data, alg) => digest(data.slice().buffer as ArrayBuffer, alg),
  signJwt: async () => {
    throw new Error('this wallet signs no JARM response');
  },
  decryptJwe: async () => ({ decrypted: false }),
  encryptJwe: async () => {
    throw new Error('this wallet encrypts no response');
  },
};
type PresentationFrame = Parameters<SDJwtVcInstance['present']>[1];
type Openid4vpClientCallbacks = Omit<CallbackContext, 'generateRandom' | 'clientAuthentication'>;
const wallet = new Openid4vpClient({ callbacks });

/** The stock @sd-jwt presenter: discloses `frame` and binds the presentation to `nonce` and `aud` with the holder key. */
async function presentWithStockLibrary(frame: PresentationFrame, nonce: string, aud: string): Promise<string> {
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    kbSignAlg: 'ES256',
    kbSigner: await ES256.getSigner(held.holderPrivateJwk),
  });
  return sdjwt.present(held.credential, frame, { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud, nonce } } });
}

interface RequestView {
  status: string;
  result: { valid: boolean; errors: { code: string }[]; disclosed: Record<string, unknown> };
}
const viewOf = async (id: string) => (await getPresentationRequest(net.verifier.url, net.apiKey, id)) as unknown as RequestView;

async function resolve(requestUri: string) {
  const parsed = wallet.parseOpenid4vpAuthorizationRequest({ authorizationRequest: requestUri });
  return wallet.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params });
}

async function submit(resolved: Awaited<ReturnType<typeof resolve>>, presentation: string) {
  const { authorizationRequestPayload } = resolved;
  const response = await wallet.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload,
    authorizationResponsePayload: { vp_token: { identity: [presentation] } },
  });
  return wallet.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: authorizationRequestPayload as { response_uri: string },
    authorizationResponsePayload: response.authorizationResponsePayload,
  });
}

describe('an OWF @openid4vc/openid4vp 0.4.6 wallet presents a stock @sd-jwt/sd-jwt-vc presentation to the verifier', () => {
  it('resolves the signed request (decentralized_identifier, did:web), answers the DCQL query, and the business sees accepted', async () => {
    const created = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'age_over_20', purpose: 'Age check' });
    const resolved = await resolve(created.request_uri);
    expect(resolved.client).toMatchObject({ prefix: 'decentralized_identifier' });
    expect(resolved.jar?.sendBy).toBe('reference');
    const request = resolved.authorizationRequestPayload as { client_id: string; nonce: string; response_mode: string };
    expect(request.response_mode).toBe('direct_post');
    const query = resolved.dcql?.query as { credentials: { id: string; claims: { path: string[] }[] }[] };
    expect(query.credentials[0]?.id).toBe('identity');
    expect(query.credentials[0]?.claims.map((c) => c.path)).toEqual([['age_equal_or_over', '20']]);

    const presentation = await presentWithStockLibrary({ age_equal_or_over: { 20: true } }, request.nonce, request.client_id);
    const { response } = await submit(resolved, presentation);
    expect(response.status).toBe(200);

    const view = await viewOf(created.id);
    expect(view.status).toBe('accepted');
    expect(view.result).toMatchObject({ valid: true, errors: [], status: 'valid', key_binding: 'verified' });
    expect(view.result.disclosed).toEqual({ age_equal_or_over: { 20: true } });
  });

  it('refuses a replayed nonce: again at the answered request, and at a new request with the old nonce in the key binding', async () => {
    const first = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'age_over_20' });
    const firstResolved = await resolve(first.request_uri);
    const firstRequest = firstResolved.authorizationRequestPayload as { client_id: string; nonce: string };
    const presentation = await presentWithStockLibrary({ age_equal_or_over: { 20: true } }, firstRequest.nonce, firstRequest.client_id);
    expect((await submit(firstResolved, presentation)).response.status).toBe(200);
    const again = await submit(firstResolved, presentation);
    expect(again.response.status).toBe(409);

    const second = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'age_over_20' });
    const secondResolved = await resolve(second.request_uri);
    expect((secondResolved.authorizationRequestPayload as { nonce: string }).nonce).not.toBe(firstRequest.nonce);
    await submit(secondResolved, presentation);
    const view = await viewOf(second.id);
    expect(view.status).toBe('rejected');
    expect(view.result.errors.map((e) => e.code)).toEqual(['kb_nonce_mismatch']);
  });

  it('never serves an unsigned (alg none) request object: every one the wallet saw is ES256 and verifies against the DID document', async () => {
    expect(seenRequestObjects.length).toBeGreaterThanOrEqual(3);
    for (const compact of seenRequestObjects) {
      const header = decodeProtectedHeader(compact);
      expect(header).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt' });
      expect(compact.split('.')[2]).not.toBe('');
      expect(await verifyWithDidWeb({ method: 'did', alg: 'ES256', didUrl: String(header.kid) }, compact)).toMatchObject({
        verified: true,
      });
    }
  });
});
