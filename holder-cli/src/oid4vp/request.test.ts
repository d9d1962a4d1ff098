import { createHash } from 'node:crypto';
import { b64uJson, generateEs256KeyPair, IDENTITY_VCT, isShomeiError, REQUEST_OBJECT_TYP, signJws } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVerifier } from '../testing/fake-verifier.js';
import { NOW } from '../testing/fixtures.js';
import { type TestPki, testIssued, testPki, testRoot } from '../testing/test-pki.js';
import { type LoadRequestOptions, loadPresentationRequest } from './request.js';

let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;
let pki: TestPki;
/** The fake verifier's port on `localhost`: what an x509_san_dns:localhost response_uri points at. */
let localhost: string;

beforeAll(async () => {
  verifier = await startFakeVerifier();
  pki = await testPki(['localhost'], NOW);
  localhost = verifier.origin.replace('127.0.0.1', 'localhost');
});
afterAll(() => verifier.close());

const load = (uri: string, now = NOW, options: Partial<LoadRequestOptions> = {}) =>
  loadPresentationRequest(uri, { now: () => now, verifierRoots: [pki.root.cert], ...options });

async function rejection(uri: string, options: Partial<LoadRequestOptions> = {}, now = NOW): Promise<{ code: string; message: string }> {
  try {
    await load(uri, now, options);
  } catch (e) {
    if (isShomeiError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the request was accepted');
}

const DCQL = {
  credentials: [{ id: 'identity', format: 'dc+sd-jwt', meta: { vct_values: [IDENTITY_VCT] }, claims: [{ path: ['family_name'] }] }],
};

/** An unsigned request as plain URL parameters (OpenID4VP 1.0 §5.9.3, the redirect_uri example). */
function parameterUri(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return `openid4vp://?${q}`;
}

function redirectParams(responseUri: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: `redirect_uri:${responseUri}`,
    response_type: 'vp_token',
    response_mode: 'direct_post',
    response_uri: responseUri,
    nonce: 'n-0S6_WzA2Mj-0123456789',
    dcql_query: DCQL,
    client_metadata: { client_name: 'Corner Shop' },
    ...extra,
  };
}

/** A request signed by a certificate chain: `x5c` header, no kid. */
function x509Published(clientId: string, options: { responseUri?: string; x5c?: string[]; key?: TestPki['leaf'] } = {}) {
  return verifier.publish({
    payload: { client_id: clientId, iss: undefined, response_uri: options.responseUri ?? `${localhost}/responses/x509` },
    header: { kid: undefined, x5c: options.x5c ?? pki.x5c },
    signWith: options.key ?? pki.leaf,
  });
}

describe('decentralized_identifier:did:web (OpenID4VP 1.0 §5.9.3)', () => {
  it('accepts a request signed with the key its DID document lists, and names the DID as the proven identity', async () => {
    const published = verifier.publish({ claims: [['family_name'], ['address']] });
    const request = await load(published.uri);
    expect(request).toMatchObject({
      clientId: verifier.clientId,
      verifierIdentity: { prefix: 'decentralized_identifier', value: verifier.did, verified: true, kid: `${verifier.did}#verifier-key-1` },
      clientName: 'Demo Shop',
      purpose: '年齢確認のため',
      nonce: published.nonce,
      state: published.state,
      responseUri: `${verifier.origin}/responses/${published.id}`,
    });
    expect(request.query.claims?.map((c) => c.path)).toEqual([['family_name'], ['address']]);
  });

  it('ignores the iss of the request object (OpenID4VP 1.0 §5), whatever it says', async () => {
    const request = await load(verifier.publish({ payload: { iss: 'https://someone-else.example' } }).uri);
    expect(request.clientId).toBe(verifier.clientId);
  });

  it('accepts a request without state (RECOMMENDED, not required: §5.2)', async () => {
    expect((await load(verifier.publish({ payload: { state: undefined } }).uri)).state).toBeNull();
  });

  it('accepts the request object by value (request=…) as well as by reference', async () => {
    const published = verifier.publish({ byValue: true });
    expect(published.uri).toMatch(/^openid4vp:\/\/\?client_id=.+&request=ey/);
    expect((await load(published.uri)).nonce).toBe(published.nonce);
  });

  it('request_uri_method=post (§5.10): POSTs wallet metadata and a wallet_nonce, which the request object must echo', async () => {
    const published = verifier.publish({ requestUriMethod: 'post' });
    await load(published.uri);
    const form = verifier.requestPosts.find((p) => p.id === published.id)?.form;
    expect(form?.get('wallet_nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.parse(form?.get('wallet_metadata') ?? '{}')).toMatchObject({
      client_id_prefixes_supported: expect.arrayContaining(['x509_san_dns', 'redirect_uri']),
      request_object_signing_alg_values_supported: expect.arrayContaining(['ES256']),
    });
    const r = await rejection(verifier.publish({ requestUriMethod: 'post', echoWalletNonce: false }).uri);
    expect(r).toEqual({ code: 'request_invalid', message: 'the request object does not carry the wallet_nonce this wallet sent' });
  });

  it('refuses an unsigned request object (alg none) and unsigned parameters: this prefix needs a signature', async () => {
    const none = await rejection(verifier.publish({ unsigned: true }).uri);
    expect(none).toEqual({ code: 'request_invalid', message: 'a decentralized_identifier verifier must send a signed request object' });
    const params = await rejection(
      parameterUri({
        ...redirectParams(`${verifier.origin}/responses/p`),
        client_id: verifier.clientId,
        response_uri: `${verifier.origin}/responses/p`,
      }),
    );
    expect(params.message).toBe('a decentralized_identifier verifier must send a signed request object');
  });

  it('refuses alg none that still carries a signature (a signed-looking token is not let through as unsigned)', async () => {
    const signed = verifier.publish({ byValue: true }).uri;
    const jwt = new URL(signed).searchParams.get('request') ?? '';
    const [, payload, signature] = jwt.split('.');
    const none = `${b64uJson({ typ: REQUEST_OBJECT_TYP, alg: 'none' })}.${payload}.${signature}`;
    const uri = `openid4vp://?${new URLSearchParams({ client_id: verifier.clientId, request: none })}`;
    expect(await rejection(uri)).toEqual({ code: 'request_invalid', message: 'an unsecured request object must have an empty signature' });
  });

  it('rejects a bad signature (a key the DID document does not hold)', async () => {
    const r = await rejection(verifier.publish({ signWith: generateEs256KeyPair() }).uri);
    expect(r).toEqual({ code: 'request_invalid', message: 'signature does not verify' });
  });

  it('rejects a client_id in the URI that differs from the signed one', async () => {
    const uri = verifier.publish({ uriClientId: 'decentralized_identifier:did:web:shop.example' }).uri;
    expect((await rejection(uri)).message).toMatch(/client_id of the request URI does not match/);
  });

  it('rejects a signed client_id whose DID does not hold the signing key', async () => {
    const other = 'decentralized_identifier:did:web:127.0.0.1%3A1';
    const r = await rejection(verifier.publish({ payload: { client_id: other }, uriClientId: other }).uri);
    expect(r).toEqual({ code: 'request_invalid', message: "the request object kid is not a key of the verifier's DID" });
  });

  it('rejects a kid that the DID document does not list', async () => {
    const r = await rejection(verifier.publish({ header: { kid: `${verifier.did}#nope` } }).uri);
    expect(r.message).toMatch(/does not list/);
  });

  it('rejects a response_uri on another origin than the DID', async () => {
    const r = await rejection(verifier.publish({ payload: { response_uri: 'http://127.0.0.1:1/steal' } }).uri);
    expect(r.message).toMatch(/response_uri is not on the verifier's own origin/);
  });

  it('rejects a wrong typ, an expired request and a signed one without exp', async () => {
    expect((await rejection(verifier.publish({ header: { typ: 'JWT' } }).uri)).message).toMatch(/typ must be oauth-authz-req\+jwt/);
    const later = new Date(NOW.getTime() + 10 * 60_000);
    expect((await rejection(verifier.publish().uri, {}, later)).code).toBe('expired');
    expect((await rejection(verifier.publish({ payload: { exp: undefined } }).uri)).message).toMatch(/no exp/);
  });

  it('rejects a request object that is not one', async () => {
    const uri = verifier.publish().uri.replace(/requests%2F[0-9a-f]+/, 'requests%2Fmissing');
    expect((await rejection(uri)).message).toMatch(/did not hand over the request \(HTTP 404/);
  });

  it('cleans control characters out of the name and purpose it will display', async () => {
    const published = verifier.publish({
      payload: { client_metadata: { client_name: 'Bank\u001b[2K\u202eof Tokyo' }, purpose: 'why\u0007\nnot' },
    });
    const request = await load(published.uri);
    expect(request.clientName).toBe('Bank[2Kof Tokyo');
    expect(request.purpose).toBe('why not');
  });
});

describe('decentralized_identifier:did:jwk', () => {
  const key = generateEs256KeyPair();
  const did = `did:jwk:${b64uJson(key.publicJwk)}`;
  const clientId = `decentralized_identifier:${did}`;

  it('accepts a request signed by the key the DID is', async () => {
    const published = verifier.publish({ payload: { client_id: clientId }, header: { kid: `${did}#0` }, signWith: key });
    expect((await load(published.uri)).verifierIdentity).toEqual({
      prefix: 'decentralized_identifier',
      value: did,
      verified: true,
      kid: `${did}#0`,
      certificate: null,
    });
  });

  it('refuses another key, and a kid other than #0', async () => {
    const other = verifier.publish({ payload: { client_id: clientId }, header: { kid: `${did}#0` }, signWith: generateEs256KeyPair() });
    expect(await rejection(other.uri)).toEqual({ code: 'request_invalid', message: 'signature does not verify' });
    const kid = verifier.publish({ payload: { client_id: clientId }, header: { kid: `${did}#1` }, signWith: key });
    expect((await rejection(kid.uri)).message).toMatch(/must be signed by its #0 key/);
  });
});

describe('x509_san_dns (OpenID4VP 1.0 §5.9.3)', () => {
  it('accepts a request signed by a leaf whose chain ends at a configured root and whose dNSName is the client id', async () => {
    const published = x509Published('x509_san_dns:localhost');
    const request = await load(published.uri);
    expect(request.verifierIdentity).toEqual({
      prefix: 'x509_san_dns',
      value: 'localhost',
      verified: true,
      kid: 'x5c',
      certificate: {
        subject: 'CN=localhost',
        dnsNames: ['localhost'],
        root: 'CN=Shomei Test Verifier Root',
        sha256: createHash('sha256').update(pki.leaf.cert.raw).digest('base64url'),
      },
    });
  });

  it('accepts the chain with the root included, and by value', async () => {
    expect((await load(x509Published('x509_san_dns:localhost', { x5c: [...pki.x5c, pki.root.b64] }).uri)).verifierIdentity.verified).toBe(
      true,
    );
    const byValue = verifier.publish({
      payload: { client_id: 'x509_san_dns:localhost', response_uri: `${localhost}/responses/v` },
      header: { kid: undefined, x5c: pki.x5c },
      signWith: pki.leaf,
      byValue: true,
    });
    expect((await load(byValue.uri)).verifierIdentity.prefix).toBe('x509_san_dns');
  });

  it('refuses a chain to a root the wallet does not trust, and any chain when no roots are configured', async () => {
    const stranger = await testPki(['localhost'], NOW, 'CN=Stranger Root');
    const r = await rejection(x509Published('x509_san_dns:localhost', { x5c: stranger.x5c, key: stranger.leaf }).uri);
    expect(r).toEqual({ code: 'verifier_untrusted', message: "the verifier's certificate chain does not lead to a configured trust root" });
    // A root of the same name but another key: the name alone must not be trusted.
    const impostor = await testPki(['localhost'], NOW);
    const r2 = await rejection(x509Published('x509_san_dns:localhost', { x5c: impostor.x5c, key: impostor.leaf }).uri);
    expect(r2.code).toBe('verifier_untrusted');
    const none = await rejection(x509Published('x509_san_dns:localhost').uri, { verifierRoots: [] });
    expect(none.code).toBe('verifier_untrusted');
    expect(none.message).toMatch(/no verifier trust roots are configured/);
  });

  it('refuses a client id that is not a dNSName of the leaf', async () => {
    const other = await testPki(['shop.localhost'], NOW);
    const r = await rejection(x509Published('x509_san_dns:localhost', { x5c: other.x5c, key: other.leaf }).uri, {
      verifierRoots: [other.root.cert],
    });
    expect(r).toEqual({ code: 'request_invalid', message: "the client id's DNS name is not a dNSName of the verifier's certificate" });
  });

  it("refuses a response_uri whose host is not the certificate's DNS name", async () => {
    const r = await rejection(x509Published('x509_san_dns:localhost', { responseUri: `${verifier.origin}/responses/x` }).uri);
    expect(r).toEqual({ code: 'request_invalid', message: "the response_uri's host is not the verifier's certificate DNS name" });
  });

  it('refuses an expired leaf, an intermediate that is not a CA, and a chain out of order', async () => {
    const expired = await testIssued(pki.intermediate, 'CN=localhost', {
      dnsNames: ['localhost'],
      notBefore: new Date(NOW.getTime() - 10 * 86_400_000),
      notAfter: new Date(NOW.getTime() - 86_400_000),
    });
    const r1 = await rejection(x509Published('x509_san_dns:localhost', { x5c: [expired.b64, pki.intermediate.b64], key: expired }).uri);
    expect(r1).toEqual({ code: 'verifier_untrusted', message: "a certificate in the verifier's chain is expired or not yet valid" });

    const notCa = await testIssued(pki.root, 'CN=Not A CA', { ca: false, now: NOW });
    const leaf = await testIssued(notCa, 'CN=localhost', { dnsNames: ['localhost'], now: NOW });
    const r2 = await rejection(x509Published('x509_san_dns:localhost', { x5c: [leaf.b64, notCa.b64], key: leaf }).uri);
    expect(r2).toEqual({ code: 'verifier_untrusted', message: "a certificate in the verifier's chain is issued by a non-CA certificate" });

    const r3 = await rejection(x509Published('x509_san_dns:localhost', { x5c: [pki.leaf.b64, pki.root.b64] }).uri);
    expect(r3.code).toBe('verifier_untrusted');
  });

  it("refuses a request the leaf's key did not sign, one without x5c, and an unsigned one", async () => {
    const forged = await rejection(x509Published('x509_san_dns:localhost', { key: pki.intermediate }).uri);
    expect(forged).toEqual({ code: 'request_invalid', message: 'signature does not verify' });
    const noX5c = verifier.publish({
      payload: { client_id: 'x509_san_dns:localhost', response_uri: `${localhost}/responses/x` },
      signWith: pki.leaf,
    });
    expect((await rejection(noX5c.uri)).message).toMatch(/must carry an x5c header/);
    const unsigned = verifier.publish({
      payload: { client_id: 'x509_san_dns:localhost', response_uri: `${localhost}/responses/x` },
      header: { x5c: pki.x5c },
      unsigned: true,
    });
    expect(await rejection(unsigned.uri)).toEqual({
      code: 'request_invalid',
      message: 'a x509_san_dns verifier must send a signed request object',
    });
  });
});

describe('x509_hash (OpenID4VP 1.0 §5.9.3)', () => {
  const hash = () => createHash('sha256').update(pki.leaf.cert.raw).digest('base64url');

  it('accepts a request whose leaf hashes to the client id, chain checked', async () => {
    const published = x509Published(`x509_hash:${hash()}`, { responseUri: `${verifier.origin}/responses/h` });
    const request = await load(published.uri);
    expect(request.verifierIdentity).toMatchObject({ prefix: 'x509_hash', value: hash(), verified: true });
    expect(request.verifierIdentity.certificate?.root).toBe('CN=Shomei Test Verifier Root');
  });

  it('refuses a hash of another certificate, and an untrusted chain', async () => {
    const other = createHash('sha256').update(pki.intermediate.cert.raw).digest('base64url');
    const r = await rejection(x509Published(`x509_hash:${other}`).uri);
    expect(r).toEqual({
      code: 'request_invalid',
      message: "the client id's certificate hash is not the hash of the verifier's certificate",
    });
    const root = await testRoot('CN=Other Root', NOW);
    expect((await rejection(x509Published(`x509_hash:${hash()}`).uri, { verifierRoots: [root.cert] })).code).toBe('verifier_untrusted');
  });
});

describe('redirect_uri (OpenID4VP 1.0 §5.9.3): unsigned, and never shown as verified', () => {
  const responseUri = () => `${verifier.origin}/responses/redirect`;

  it('accepts plain URL parameters without state, as an unverified verifier', async () => {
    const request = await load(parameterUri(redirectParams(responseUri())));
    expect(request).toMatchObject({
      clientId: `redirect_uri:${responseUri()}`,
      verifierIdentity: { prefix: 'redirect_uri', value: responseUri(), verified: false, kid: null, certificate: null },
      clientName: 'Corner Shop',
      state: null,
      responseUri: responseUri(),
      expiresAt: null,
    });
  });

  it('takes the client id value as the response_uri when the request leaves it out', async () => {
    expect((await load(parameterUri(redirectParams(responseUri(), { response_uri: undefined })))).responseUri).toBe(responseUri());
  });

  it('accepts an unsecured request object (alg none) by reference', async () => {
    const uri = responseUri();
    const published = verifier.publish({ payload: { client_id: `redirect_uri:${uri}`, response_uri: uri }, unsigned: true });
    expect((await load(published.uri)).verifierIdentity.verified).toBe(false);
  });

  it('refuses a client id that is not the response_uri, and a signed request', async () => {
    const mismatch = await rejection(parameterUri(redirectParams(responseUri(), { response_uri: `${verifier.origin}/elsewhere` })));
    expect(mismatch).toEqual({ code: 'request_invalid', message: 'a redirect_uri client id must be the response_uri' });
    const uri = responseUri();
    const signed = await rejection(verifier.publish({ payload: { client_id: `redirect_uri:${uri}`, response_uri: uri } }).uri);
    expect(signed.message).toMatch(/a redirect_uri verifier cannot sign its request/);
  });

  it('refuses a plain-http response_uri off loopback and a redirect_uri parameter', async () => {
    const http = await rejection(parameterUri(redirectParams('http://shop.example/cb')));
    expect(http).toEqual({ code: 'request_invalid', message: 'the response_uri must be https' });
    const both = await rejection(parameterUri(redirectParams(responseUri(), { redirect_uri: responseUri() })));
    expect(both.message).toMatch(/must not carry redirect_uri/);
  });
});

describe('client identifier prefixes the wallet cannot authenticate', () => {
  const withClient = (client_id: string) => parameterUri({ ...redirectParams(`${verifier.origin}/r`), client_id });

  it('verifier_attestation: refused as untrusted (no attestation issuers are configured)', async () => {
    expect((await rejection(withClient('verifier_attestation:shop.example'))).code).toBe('verifier_untrusted');
  });

  it('unknown prefixes, origin: and pre-registered client ids are refused', async () => {
    expect(await rejection(withClient('openid_federation:https://fed.example'))).toEqual({
      code: 'request_invalid',
      message: 'unsupported client identifier prefix openid_federation:',
    });
    expect((await rejection(withClient('origin:https://shop.example'))).message).toMatch(/unsupported client identifier prefix origin:/);
    expect((await rejection(withClient('shop'))).message).toMatch(/pre-registered verifiers are not supported/);
  });
});

describe('the request URI itself', () => {
  it('refuses request and request_uri together, an unknown request_uri_method, repeated parameters and transaction_data', async () => {
    const published = verifier.publish();
    expect((await rejection(`${published.uri}&request=e30.e30.e30`)).message).toMatch(/both request and request_uri/);
    expect((await rejection(`${published.uri}&request_uri_method=put`)).message).toMatch(/must be get or post/);
    expect((await rejection(`${published.uri}&client_id=x`)).message).toMatch(/repeats the client_id parameter/);
    const td = parameterUri(redirectParams(`${verifier.origin}/responses/t`, { transaction_data: ['eyJ0eXBlIjoieCJ9'] }));
    expect((await rejection(td)).message).toMatch(/does not support transaction_data/);
  });

  it('refuses a request object whose header is not JSON and an encrypted one', async () => {
    const uri = (request: string) => `openid4vp://?${new URLSearchParams({ client_id: verifier.clientId, request })}`;
    expect((await rejection(uri('a.b.c.d.e'))).message).toBe('encrypted request objects are not supported');
    const wrongTyp = signJws({ typ: 'JWT', alg: 'ES256' }, {}, verifier.key.privateKey);
    expect((await rejection(uri(wrongTyp))).message).toBe(`the request object typ must be ${REQUEST_OBJECT_TYP}`);
  });
});
