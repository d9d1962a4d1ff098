import { generateEs256KeyPair, isShomeiError } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVerifier } from '../testing/fake-verifier.js';
import { NOW } from '../testing/fixtures.js';
import { loadPresentationRequest } from './request.js';

let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;

beforeAll(async () => {
  verifier = await startFakeVerifier();
});
afterAll(() => verifier.close());

const load = (uri: string, now = NOW) => loadPresentationRequest(uri, { now: () => now });

async function rejection(uri: string, now = NOW): Promise<{ code: string; message: string }> {
  try {
    await load(uri, now);
  } catch (e) {
    if (isShomeiError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the request was accepted');
}

describe('request object verification (OpenID4VP, decentralized_identifier:did:web)', () => {
  it('accepts a request signed with the key its DID document lists', async () => {
    const published = verifier.publish({ claims: [['family_name'], ['address']] });
    const request = await load(published.uri);
    expect(request).toMatchObject({
      clientId: verifier.clientId,
      did: verifier.did,
      clientName: 'Demo Shop',
      purpose: '年齢確認のため',
      nonce: published.nonce,
      state: published.state,
      responseUri: `${verifier.origin}/responses/${published.id}`,
    });
    expect(request.query.claims?.map((c) => c.path)).toEqual([['family_name'], ['address']]);
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
    // A request naming someone else's DID as its client, signed with our own key: the kid points
    // into our DID, which is not the client's.
    const other = 'decentralized_identifier:did:web:127.0.0.1%3A1';
    const r = await rejection(verifier.publish({ payload: { client_id: other, iss: other }, uriClientId: other }).uri);
    expect(r.code).toBe('request_invalid');
    expect(r.message).toMatch(/kid is not a key of the verifier's DID/);
  });

  it('rejects a kid that the DID document does not list', async () => {
    const r = await rejection(verifier.publish({ header: { kid: `${verifier.did}#nope` } }).uri);
    expect(r.message).toMatch(/does not list/);
  });

  it('rejects a response_uri on another origin than the DID', async () => {
    const r = await rejection(verifier.publish({ payload: { response_uri: 'http://127.0.0.1:1/steal' } }).uri);
    expect(r.message).toMatch(/response_uri is not on the verifier's own origin/);
  });

  it('rejects other client identifier schemes', async () => {
    const r = await rejection(
      verifier.publish({
        payload: { client_id: 'redirect_uri:http://127.0.0.1:1/cb', iss: undefined },
        uriClientId: 'redirect_uri:http://127.0.0.1:1/cb',
      }).uri,
    );
    expect(r.message).toMatch(/only verifiers identified as decentralized_identifier:did:web:/);
  });

  it('rejects a wrong typ and an expired request', async () => {
    expect((await rejection(verifier.publish({ header: { typ: 'JWT' } }).uri)).message).toMatch(/typ must be oauth-authz-req\+jwt/);
    const later = new Date(NOW.getTime() + 10 * 60_000);
    expect((await rejection(verifier.publish().uri, later)).code).toBe('expired');
    expect((await rejection(verifier.publish({ payload: { exp: undefined } }).uri)).message).toMatch(/no exp/);
  });

  it('rejects a request object that is not one', async () => {
    const uri = verifier.publish().uri.replace(/requests%2F[0-9a-f]+/, 'requests%2Fmissing');
    expect((await rejection(uri)).message).toMatch(/could not be fetched \(HTTP 404\)/);
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
