import { readFileSync } from 'node:fs';
import {
  credentialResponseSchema,
  decodeSdJwt,
  generateEs256KeyPair,
  IDENTITY_VCT,
  parseJws,
  publicKeyFromJwk,
  ShomeiError,
  STATUS_LIST_TYP,
  StatusList,
  tokenResponseSchema,
  verifyJwsSignature,
  verifySdJwtVc,
} from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import {
  accessToken,
  BASE,
  credentialBody,
  credentialRequest,
  issueOne,
  makeOffer,
  nonce,
  nonceRequest,
  proofJwt,
  redeem,
  taro,
  useHarness,
} from '../testing/harness.js';

const h = useHarness();

async function issuerKeyFor(kid: unknown) {
  const res = await h.app.request('/.well-known/jwt-vc-issuer');
  const body = (await res.json()) as { issuer: string; jwks: { keys: { kid: string }[] } };
  expect(body.issuer).toBe(BASE);
  const jwk = body.jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new ShomeiError('untrusted_issuer', 'no key with that kid');
  return publicKeyFromJwk(jwk);
}

describe('OpenID4VCI pre-authorized code flow (sandbox offer → token → nonce → credential)', () => {
  it('issues an SD-JWT VC that verifies against the published key, bound to the proof key', async () => {
    const offer = await makeOffer(h);
    expect(offer.sandbox).toBe(true);
    expect(offer.tx_code).toMatch(/^\d{6}$/);

    const tokenRes = await redeem(h, offer.code, offer.tx_code);
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers.get('cache-control')).toBe('no-store');
    const token = tokenResponseSchema.parse(await tokenRes.json());
    expect(token.token_type).toBe('Bearer');
    expect(token.expires_in).toBe(300);

    const nonceRes = await nonceRequest(h);
    expect(nonceRes.headers.get('cache-control')).toBe('no-store');
    const { c_nonce } = (await nonceRes.json()) as { c_nonce: string };

    const holder = generateEs256KeyPair();
    const res = await credentialRequest(h, token.access_token, credentialBody(proofJwt(holder, h, { nonce: c_nonce })));
    expect(res.status).toBe(200);
    const compact = credentialResponseSchema.parse(await res.json()).credentials[0]?.credential as string;

    const header = decodeSdJwt(compact).issuerJws.header;
    const key = await issuerKeyFor(header.kid);
    const verified = await verifySdJwtVc(compact, { now: h.now(), resolveIssuerKey: () => key });
    expect(header.kid).toBe(h.deps.keys.current.kid);
    expect(verified.header.typ).toBe('dc+sd-jwt');
    expect(verified.payload.iss).toBe(BASE);
    expect(verified.payload.vct).toBe(IDENTITY_VCT);
    expect(verified.payload.exp).toBe((verified.payload.iat as number) + 365 * 86400);
    expect((verified.payload.cnf as { jwk: unknown }).jwk).toEqual(holder.publicJwk);
    // Personal claims are disclosures, never in the signed payload in clear.
    expect(verified.payload.family_name).toBeUndefined();
    expect(verified.claims.family_name).toBe('山田');
    expect(verified.claims['given_name#ja-Kana-JP']).toBe('タロウ');
    expect(verified.claims.address).toMatchObject({ locality: '千代田区', formatted: '〒100-0001 東京都千代田区千代田1-1' });
    expect(verified.claims.age_equal_or_over).toEqual({ '18': true, '20': true, '65': false });
    expect(verified.payload.verification).toEqual({
      trust_framework: 'jp_aml',
      assurance_level: 'IAL2',
      time: '2026-11-21T03:00:00Z',
      evidence: [{ type: 'sandbox', method: 'sandbox', time: '2026-11-21T03:00:00Z' }],
      sandbox: true,
    });

    const status = (verified.payload.status as { status_list: { idx: number; uri: string } }).status_list;
    expect(status.uri).toBe(`${BASE}/status-lists/1`);
    const listRes = await h.app.request(new URL(status.uri).pathname);
    expect(listRes.headers.get('content-type')).toBe(`application/${STATUS_LIST_TYP}`);
    const listJws = parseJws(await listRes.text());
    verifyJwsSignature(listJws, await issuerKeyFor(listJws.header.kid));
    const lst = listJws.payload.status_list as { bits: number; lst: string };
    expect(StatusList.decode(lst.bits, lst.lst).get(status.idx)).toBe(0);
  });

  it('asserts the assurance level the offer asked for', async () => {
    const { credential } = await issueOne(h, { identity: taro, assurance_level: 'IAL1' });
    const payload = decodeSdJwt(credential).issuerJws.payload;
    expect((payload.verification as { assurance_level: string }).assurance_level).toBe('IAL1');
  });

  it('keeps no personal value, code or token in clear in the database or the logs', async () => {
    const offer = await makeOffer(h);
    const token = await accessToken(h, offer);
    const res = await credentialRequest(h, token, credentialBody(proofJwt(generateEs256KeyPair(), h, { nonce: await nonce(h) })));
    expect(res.status).toBe(200);
    h.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(h.dbFile);
    for (const secret of ['山田', 'ヤマダ', '1991-08-14', '千代田1-1', offer.code, token]) {
      expect(file.includes(Buffer.from(secret)), secret).toBe(false);
      expect(h.logs.join('\n')).not.toContain(secret);
    }
    expect(h.logs.some((l) => l.startsWith('[sandbox] credential '))).toBe(true);
  });
});

describe('token endpoint', () => {
  it('refuses a pre-authorized code used a second time', async () => {
    const offer = await makeOffer(h);
    expect((await redeem(h, offer.code, offer.tx_code)).status).toBe(200);
    const again = await redeem(h, offer.code, offer.tx_code);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'the pre-authorized code has already been used',
      shomei_code: 'invalid_grant',
    });
  });

  it('counts wrong tx_codes down and kills the code after five, even for the right one', async () => {
    const offer = await makeOffer(h);
    const wrong = offer.tx_code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const res = await redeem(h, offer.code, wrong);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; error_description: string; shomei_code: string; details: unknown };
      expect(body.error).toBe('invalid_grant');
      // The count travels as data too, so that a wallet never reads it out of the description.
      expect(body).toMatchObject({ shomei_code: 'invalid_grant', details: { attempts_left: left } });
      expect(body.error_description).toBe(
        left > 0
          ? `tx_code is wrong; ${left} attempt${left === 1 ? '' : 's'} left`
          : 'tx_code is wrong; no attempts left, the pre-authorized code is no longer valid',
      );
      expect(body.error_description).not.toContain(offer.tx_code);
    }
    expect(h.logs.at(-1)).toMatch(/^\[sandbox\] offer [0-9a-f-]{36} is dead after 5 wrong tx_code attempts$/);
    const sixth = await redeem(h, offer.code, offer.tx_code);
    expect(sixth.status).toBe(400);
    expect(((await sixth.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('refuses an expired code, a missing tx_code and an unknown code', async () => {
    const offer = await makeOffer(h);
    const missing = await redeem(h, offer.code);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_request');

    const unknown = await redeem(h, 'not-a-code', offer.tx_code);
    expect(((await unknown.json()) as { error: string }).error).toBe('invalid_grant');

    h.advance(10 * 60 + 1);
    const expired = await redeem(h, offer.code, offer.tx_code);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'the pre-authorized code has expired',
      shomei_code: 'invalid_grant',
    });
  });

  it('takes only form-encoded requests of the pre-authorized grant', async () => {
    const offer = await makeOffer(h);
    const json = await h.app.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'pre-authorized_code': offer.code }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    const grant = await h.app.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x' }).toString(),
    });
    expect(((await grant.json()) as { error: string }).error).toBe('invalid_request');
    // The failed attempts above did not spend the code.
    expect((await redeem(h, offer.code, offer.tx_code)).status).toBe(200);
  });
});
