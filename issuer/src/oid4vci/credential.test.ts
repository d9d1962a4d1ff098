import { generateKeyPairSync } from 'node:crypto';
import { generateEs256KeyPair, IDENTITY_CONFIGURATION_ID, PROOF_TYP, signJws } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { credentialBody, credentialRequest, freshAccessToken, nonce, proofJwt, useHarness } from '../testing/harness.js';

const h = useHarness();

async function errorOf(res: Response): Promise<{ status: number; error: string; description: string }> {
  const body = (await res.json()) as { error: string; error_description: string };
  return { status: res.status, error: body.error, description: body.error_description };
}

const holder = generateEs256KeyPair();

describe('credential endpoint', () => {
  it('answers 401 invalid_token without an access token, with a wrong one, and with an expired one', async () => {
    const noToken = await credentialRequest(h, undefined, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await errorOf(noToken)).error).toBe('invalid_token');

    const wrong = await credentialRequest(h, 'A'.repeat(43), credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(await errorOf(wrong)).toMatchObject({ status: 401, error: 'invalid_token' });
    const wrongAndGarbled = await h.app.request('/credential', {
      method: 'POST',
      headers: { authorization: `Bearer ${'A'.repeat(43)}`, 'content-type': 'text/plain' },
      body: '{',
    });
    expect(await errorOf(wrongAndGarbled)).toMatchObject({ status: 401, error: 'invalid_token' });

    const token = await freshAccessToken(h);
    h.advance(5 * 60 + 1);
    const expired = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(await errorOf(expired)).toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it('issues one credential per access token', async () => {
    const token = await freshAccessToken(h);
    const first = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(first.status).toBe(200);
    const second = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(await errorOf(second)).toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it('refuses a proof with a wrong nonce (invalid_nonce) and does not spend the token', async () => {
    const token = await freshAccessToken(h);
    const wrong = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: 'made-up-nonce' })));
    expect(await errorOf(wrong)).toMatchObject({ status: 400, error: 'invalid_nonce' });
    const retry = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(retry.status).toBe(200);
  });

  it('refuses a nonce used twice or expired', async () => {
    const c_nonce = await nonce(h);
    const first = await credentialRequest(h, await freshAccessToken(h), credentialBody(proofJwt(holder, h, { nonce: c_nonce })));
    expect(first.status).toBe(200);
    const reused = await credentialRequest(h, await freshAccessToken(h), credentialBody(proofJwt(holder, h, { nonce: c_nonce })));
    expect((await errorOf(reused)).error).toBe('invalid_nonce');

    const stale = await nonce(h);
    h.advance(5 * 60 + 1);
    const token = await freshAccessToken(h);
    const late = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: stale })));
    expect((await errorOf(late)).error).toBe('invalid_nonce');
  });

  it('refuses proofs with the wrong aud, typ, alg or key, a kid, an old or future iat, or no nonce', async () => {
    const token = await freshAccessToken(h);
    const now = Math.floor(h.now().getTime() / 1000);
    const ed = generateKeyPairSync('ed25519');
    const cases: [string, string, string][] = [
      ['wrong aud', proofJwt(holder, h, { nonce: await nonce(h), aud: 'http://127.0.0.1:4001' }), 'aud'],
      ['no aud', proofJwt(holder, h, { nonce: await nonce(h), aud: undefined }), 'aud'],
      ['wrong typ', proofJwt(holder, h, { nonce: await nonce(h), header: { typ: 'JWT' } }), 'typ'],
      ['kid instead of jwk', proofJwt(holder, h, { nonce: await nonce(h), header: { kid: 'holder-key' } }), 'kid'],
      ['private jwk', proofJwt(holder, h, { nonce: await nonce(h), header: { jwk: { ...holder.publicJwk, d: 'AAAA' } } }), 'jwk'],
      ['other key', proofJwt(holder, h, { nonce: await nonce(h), header: { jwk: generateEs256KeyPair().publicJwk } }), 'signature'],
      ['iat too old', proofJwt(holder, h, { nonce: await nonce(h), iat: now - 301 }), 'iat is too old'],
      ['iat in the future', proofJwt(holder, h, { nonce: await nonce(h), iat: now + 61 }), 'iat is in the future'],
      ['no nonce', proofJwt(holder, h, {}), 'nonce'],
      ['EdDSA', signJws({ typ: PROOF_TYP, alg: 'EdDSA', jwk: ed.publicKey.export({ format: 'jwk' }) }, { aud: 'x' }, ed.privateKey), 'alg'],
      ['not a JWT', 'not.a.jwt', 'JWS'],
    ];
    for (const [name, jwt, reason] of cases) {
      const res = await credentialRequest(h, token, credentialBody(jwt));
      const error = await errorOf(res);
      expect(error, name).toMatchObject({ status: 400, error: 'invalid_proof' });
      expect(error.description, name).toContain(reason);
    }
    // A skew within 60 s is tolerated, and none of the refusals spent the token.
    const ok = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h), iat: now + 30 })));
    expect(ok.status).toBe(200);
  });

  it('refuses malformed requests, unknown configurations and a batch of two proofs by one key', async () => {
    const token = await freshAccessToken(h);
    const p = () => proofJwt(holder, h, { nonce: 'unused' });
    const unknown = await credentialRequest(h, token, { credential_configuration_id: 'other', proofs: { jwt: [p()] } });
    expect(await errorOf(unknown)).toMatchObject({ status: 400, error: 'unknown_credential_configuration' });
    // Batch issuance takes up to 10 proofs, but each by a different key (see batch.test.ts).
    const two = await credentialRequest(h, token, credentialBody(p(), p()));
    expect(await errorOf(two)).toMatchObject({ status: 400, error: 'invalid_proof' });
    const none = await credentialRequest(h, token, { credential_configuration_id: IDENTITY_CONFIGURATION_ID });
    expect(await errorOf(none)).toMatchObject({ status: 400, error: 'invalid_credential_request' });
    const notJson = await h.app.request('/credential', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{',
    });
    expect(await errorOf(notJson)).toMatchObject({ status: 400, error: 'invalid_credential_request' });
  });
});
