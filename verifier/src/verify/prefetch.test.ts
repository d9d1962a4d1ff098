import { generateEs256KeyPair, IDENTITY_VCT, issueSdJwtVc } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusListCache } from '../status/status-list-cache.js';
import { HOLDER, type IssuerStandIn, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { TrustStore } from '../trust/trust-store.js';
import { prefetchForPresentation } from './prefetch.js';

const now = () => new Date('2026-11-21T03:00:00Z');
let issuer: IssuerStandIn;

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
});
afterAll(() => issuer.close());

function freshCaches() {
  const trust = new TrustStore({ issuers: [{ iss: issuer.iss }] }, { now });
  return { trust, statusLists: new StatusListCache({ trust, now }) };
}

describe('prefetchForPresentation', () => {
  it('loads the issuer keys and the status list of a genuine credential', async () => {
    const ctx = freshCaches();
    const before = { ...issuer.fetches };
    await prefetchForPresentation(ctx, await issuer.issue());
    expect(issuer.fetches).toEqual({ jwks: before.jwks + 1, status: before.status + 1 });
    expect(ctx.statusLists.lookup(issuer.statusUri, issuer.iss, now())).toBeDefined();
  });

  it('fetches no status list named by a credential the issuer did not sign', async () => {
    const forger = generateEs256KeyPair();
    const forged = await issueSdJwtVc(
      { kid: issuer.kid, privateKey: forger.privateKey, publicJwk: forger.publicJwk },
      {
        issuer: issuer.iss,
        vct: IDENTITY_VCT,
        claims: { birthdate: '2000-01-01' },
        holderJwk: HOLDER.publicJwk,
        status: { idx: 0, uri: issuer.statusUri },
        issuedAt: now(),
        expiresAt: new Date(now().getTime() + 86_400_000),
      },
    );
    const ctx = freshCaches();
    const before = issuer.fetches.status;
    await prefetchForPresentation(ctx, forged);
    expect(issuer.fetches.status).toBe(before);
  });

  it('fetches nothing for an issuer outside the trust configuration, nor for garbage', async () => {
    const ctx = { trust: new TrustStore({ issuers: [] }, { now }), statusLists: new StatusListCache({ trust: freshCaches().trust, now }) };
    const before = { ...issuer.fetches };
    await prefetchForPresentation(ctx, await issuer.issue());
    await prefetchForPresentation(freshCaches(), 'not an sd-jwt');
    expect(issuer.fetches).toEqual(before);
  });
});
