import { generateEs256KeyPair, type KeyPair, signJws } from '@shomei/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, createHarness, type Harness, jsonRequest, redeemOfferUri, START, taro } from '../testing/harness.js';
import type { Upstream } from './config.js';
import { KYC_ASSERTION_TYP } from './reliance.js';

let h: Harness;
afterEach(() => h.close());

const carrier = generateEs256KeyPair();
const upstreams: Upstream[] = [{ id: 'https://kyc.carrier.example', name: 'Carrier KYC', keys: [carrier.publicJwk], max_level: 'IAL2' }];

function assertion(key: KeyPair, claims: Record<string, unknown> = {}): string {
  const t = Math.floor(START.getTime() / 1000);
  return signJws(
    { typ: KYC_ASSERTION_TYP, alg: 'ES256' },
    {
      iss: 'https://kyc.carrier.example',
      aud: BASE,
      iat: t,
      exp: t + 300,
      jti: `jti-${Math.random().toString(36).slice(2)}`,
      assurance_level: 'IAL2',
      verified_at: '2025-04-01T10:00:00Z',
      identity: taro,
      ...claims,
    },
    key.privateKey,
  );
}

describe('reliance applications', () => {
  it('refuse an assertion signed by an unconfigured key, or naming an unconfigured upstream', async () => {
    h = await createHarness({ proofing: { upstreams } });
    const rogue = await jsonRequest(h, 'POST', '/v1/applications', { method: 'reliance', assertion: assertion(generateEs256KeyPair()) });
    expect(rogue.status).toBe(400);
    expect(await rogue.json()).toMatchObject({ code: 'assertion_untrusted' });
    const other = await jsonRequest(h, 'POST', '/v1/applications', {
      method: 'reliance',
      assertion: assertion(carrier, { iss: 'https://kyc.bank.example' }),
    });
    expect(await other.json()).toMatchObject({ code: 'assertion_untrusted' });
    const none = await createHarness({ proofing: { upstreams: [] } });
    const res = await jsonRequest(none, 'POST', '/v1/applications', { method: 'reliance', assertion: assertion(carrier) });
    expect(await res.json()).toMatchObject({ code: 'assertion_untrusted' });
    none.close();
  });

  it('cap the level at the upstream maximum (an IAL3 claim from an IAL2 body yields IAL2) and never raise it', async () => {
    h = await createHarness({ proofing: { upstreams } });
    const high = await jsonRequest(h, 'POST', '/v1/applications', {
      method: 'reliance',
      assertion: assertion(carrier, { assurance_level: 'IAL3' }),
    });
    expect(high.status).toBe(201);
    const app = (await high.json()) as { id: string; secret: string; state: string; assurance_level: string };
    expect(app).toMatchObject({ state: 'approved', assurance_level: 'IAL2' });
    const low = await jsonRequest(h, 'POST', '/v1/applications', {
      method: 'reliance',
      assertion: assertion(carrier, { assurance_level: 'IAL1' }),
    });
    expect(await low.json()).toMatchObject({ assurance_level: 'IAL1' });

    const offer = (await (await jsonRequest(h, 'POST', `/v1/applications/${app.id}/offer`, undefined, app.secret)).json()) as {
      offer_uri: string;
      tx_code: string;
    };
    const { credential } = await redeemOfferUri(h, offer.offer_uri, offer.tx_code);
    const { decodeSdJwt } = await import('@shomei/shared');
    expect(decodeSdJwt(credential).issuerJws.payload.verification).toMatchObject({
      assurance_level: 'IAL2',
      evidence: [{ type: 'reliance', method: 'reliance' }],
    });
  });

  it('refuse a replayed, expired or foreign-audience assertion', async () => {
    h = await createHarness({ proofing: { upstreams } });
    const once = assertion(carrier);
    expect((await jsonRequest(h, 'POST', '/v1/applications', { method: 'reliance', assertion: once })).status).toBe(201);
    const replay = await jsonRequest(h, 'POST', '/v1/applications', { method: 'reliance', assertion: once });
    expect(replay.status).toBe(409);
    const t = Math.floor(START.getTime() / 1000);
    const expired = await jsonRequest(h, 'POST', '/v1/applications', { method: 'reliance', assertion: assertion(carrier, { exp: t - 1 }) });
    expect(await expired.json()).toMatchObject({ code: 'assertion_invalid' });
    const foreign = await jsonRequest(h, 'POST', '/v1/applications', {
      method: 'reliance',
      assertion: assertion(carrier, { aud: 'https://other.example' }),
    });
    expect(await foreign.json()).toMatchObject({ code: 'assertion_invalid' });
  });
});
