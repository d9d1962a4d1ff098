import { parseCredentialOfferUri } from '@shomei/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, createHarness, type Harness, makeOffer, redeem, redeemOfferUri, useHarness } from '../testing/harness.js';

// Offers by reference (OpenID4VCI 1.0 §4.1.3): GET <issuer>/credential-offer/<code> serves the
// same offer JSON as the by-value URI, found by the code's digest; nothing new is stored.
const h = useHarness();

/** The path of the by-reference URI a sandbox offer hands out. */
function referencedPath(offerUriByReference: string): string {
  const parsed = parseCredentialOfferUri(offerUriByReference);
  if (!('offerUri' in parsed)) throw new Error('not an offer by reference');
  expect(parsed.offerUri.startsWith(`${BASE}/credential-offer/`)).toBe(true);
  return parsed.offerUri.slice(BASE.length);
}

async function problemOf(res: Response): Promise<{ status: number; code: string; cache: string | null; type: string | null }> {
  const body = (await res.json()) as { code: string };
  return { status: res.status, code: body.code, cache: res.headers.get('cache-control'), type: res.headers.get('content-type') };
}

describe('credential offer by reference', () => {
  it('serves the same offer as the by-value URI, not cacheable, and the offer redeems', async () => {
    const offer = (await makeOffer(h)) as Awaited<ReturnType<typeof makeOffer>> & { offer_uri_by_reference: string };
    const res = await h.app.request(referencedPath(offer.offer_uri_by_reference));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const byValue = parseCredentialOfferUri(offer.offer_uri);
    if (!('offer' in byValue)) throw new Error('not by value');
    expect(await res.json()).toEqual(byValue.offer);
    // The by-reference URI leads to the same credential as the by-value one.
    const { credential } = await redeemOfferUri(h, offer.offer_uri, offer.tx_code);
    expect(credential.split('~').length).toBeGreaterThan(2);
  });

  it('answers 404 not_found, problem+json and no-store, for an unknown, a redeemed and an expired code', async () => {
    const unknown = await problemOf(await h.app.request(`/credential-offer/${'A'.repeat(43)}`));
    expect(unknown).toMatchObject({ status: 404, code: 'not_found', cache: 'no-store', type: 'application/problem+json' });
    expect((await problemOf(await h.app.request(`/credential-offer/${'A'.repeat(600)}`))).status).toBe(404);

    const redeemed = (await makeOffer(h)) as Awaited<ReturnType<typeof makeOffer>> & { offer_uri_by_reference: string };
    expect((await redeem(h, redeemed.code, redeemed.tx_code)).status).toBe(200);
    expect(await problemOf(await h.app.request(referencedPath(redeemed.offer_uri_by_reference)))).toMatchObject({
      status: 404,
      code: 'not_found',
    });

    const expiring = (await makeOffer(h)) as Awaited<ReturnType<typeof makeOffer>> & { offer_uri_by_reference: string };
    expect((await h.app.request(referencedPath(expiring.offer_uri_by_reference))).status).toBe(200);
    h.advance(10 * 60 + 1);
    expect(await problemOf(await h.app.request(referencedPath(expiring.offer_uri_by_reference)))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('answers 404 once wrong tx_codes have killed the code', async () => {
    const offer = (await makeOffer(h)) as Awaited<ReturnType<typeof makeOffer>> & { offer_uri_by_reference: string };
    for (let i = 0; i < 5; i++) await redeem(h, offer.code, offer.tx_code === '000000' ? '111111' : '000000');
    expect((await h.app.request(referencedPath(offer.offer_uri_by_reference))).status).toBe(404);
  });
});

describe('credential offer by reference: rate limit', () => {
  let limited: Harness | undefined;
  afterEach(() => limited?.close());

  it('refuses a client past offerFetchesPerMinute with 429 rate_limited, and lets it in again a minute later', async () => {
    limited = await createHarness({ settings: { offerFetchesPerMinute: 3 } });
    const path = `/credential-offer/${'B'.repeat(43)}`;
    for (let i = 0; i < 3; i++) expect((await limited.app.request(path)).status).toBe(404);
    const refused = await limited.app.request(path);
    expect(await problemOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    limited.advance(61);
    expect((await limited.app.request(path)).status).toBe(404);
  });
});
