import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, type Harness, makeOffer, taro } from '../testing/harness.js';

let h: Harness | undefined;
afterEach(() => h?.close());

function post(app: Harness['app'], body: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return Promise.resolve(app.request('/v1/sandbox/offers', { method: 'POST', headers, body: JSON.stringify(body) }));
}

describe('sandbox offers', () => {
  it('are 404 when the sandbox is off, even with a token', async () => {
    h = await createHarness({ sandbox: false });
    const res = await post(h.app, { identity: taro }, ADMIN_TOKEN);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'sandbox_disabled' });
  });

  it('are 401 without the admin token or with a wrong one', async () => {
    h = await createHarness();
    for (const token of [undefined, 'wrong', `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
      const res = await post(h.app, { identity: taro }, token);
      expect(res.status, String(token)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    }
    const basic = await h.app.request('/v1/sandbox/offers', {
      method: 'POST',
      headers: { authorization: `Basic ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ identity: taro }),
    });
    expect(basic.status).toBe(401);
  });

  it('make an offer labelled sandbox with a 6-digit tx_code that expires in 10 minutes', async () => {
    h = await createHarness();
    const offer = await makeOffer(h);
    expect(offer.sandbox).toBe(true);
    expect(offer.tx_code).toMatch(/^\d{6}$/);
    expect(offer.expires_at).toBe('2026-11-21T03:10:00.000Z');
    const json = JSON.parse(decodeURIComponent(offer.offer_uri.split('credential_offer=')[1] as string));
    expect(offer.offer_uri.startsWith('openid-credential-offer://?credential_offer=')).toBe(true);
    expect(json.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'].tx_code).toMatchObject({ input_mode: 'numeric', length: 6 });
    expect(json.credential_configuration_ids).toEqual(['jp_identity_sd_jwt']);
    expect(h.logs).toHaveLength(1);
    expect(h.logs[0]).toMatch(/^\[sandbox\] offer [0-9a-f-]{36} created \(IAL2\)/);
  });

  it('refuse an identity carrying an Individual Number, without echoing it', async () => {
    h = await createHarness();
    for (const identity of [
      { ...taro, address: { ...taro.address, street_address: '1234 5678 9012' } },
      { ...taro, given_name: '123456789012' },
      { ...taro, my_number: '123456789012' },
    ]) {
      const res = await post(h.app, { identity }, ADMIN_TOKEN);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('invalid_request');
      expect(body.detail).not.toMatch(/\d{4}/);
    }
    expect(h.logs).toHaveLength(0);
  });

  it('refuse IAL3, unknown fields, bodies that are not JSON and bodies over 64 KiB', async () => {
    h = await createHarness();
    expect((await post(h.app, { identity: taro, assurance_level: 'IAL3' }, ADMIN_TOKEN)).status).toBe(400);
    expect((await post(h.app, { identity: taro, extra: 1 }, ADMIN_TOKEN)).status).toBe(400);
    const notJson = await h.app.request('/v1/sandbox/offers', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"identity":',
    });
    expect(await notJson.json()).toMatchObject({ status: 400, code: 'invalid_request', detail: 'the request body is not valid JSON' });
    const big = await post(h.app, { identity: taro, pad: 'x'.repeat(70_000) }, ADMIN_TOKEN);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'payload_too_large' });
  });
});
