import { STATUS, StatusList, signStatusListToken } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../testing/error-code.js';
import { type IssuerStandIn, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { TrustStore } from '../trust/trust-store.js';
import { StatusListCache, verifyStatusListToken } from './status-list-cache.js';

let clock = new Date('2026-11-21T03:00:00Z');
const now = () => clock;
let issuer: IssuerStandIn;
let trust: TrustStore;

beforeAll(async () => {
  issuer = await startIssuerStandIn(now, { ttl: 60 });
  trust = new TrustStore({ issuers: [{ iss: issuer.iss, keys: [{ ...issuer.key.publicJwk, kid: issuer.kid }] }] }, { now });
});
afterAll(() => issuer.close());

const token = (over: { uri?: string; key?: IssuerStandIn['key']; validFor?: number } = {}) =>
  signStatusListToken({
    issuer: issuer.iss,
    uri: over.uri ?? issuer.statusUri,
    list: issuer.list,
    issuedAt: clock,
    ttl: 60,
    validFor: over.validFor ?? 3600,
    key: (over.key ?? issuer.key).privateKey,
    kid: issuer.kid,
  });

describe('verifyStatusListToken', () => {
  const expected = () => ({ uri: issuer.statusUri, iss: issuer.iss, now: clock, trust });

  it('accepts the issuer-signed list for the referenced URI', () => {
    issuer.list.set(5, STATUS.SUSPENDED);
    const { list, ttl } = verifyStatusListToken(token(), expected());
    expect(list.get(5)).toBe(STATUS.SUSPENDED);
    expect(ttl).toBe(60);
  });

  it('refuses a list for another URI, signed by another key, with another typ, or expired', async () => {
    expect(codeOf(() => verifyStatusListToken(token({ uri: `${issuer.iss}/status-lists/2` }), expected()))).toBe('malformed');
    const { generateEs256KeyPair } = await import('@shomei/shared');
    expect(codeOf(() => verifyStatusListToken(token({ key: generateEs256KeyPair() }), expected()))).toBe('signature_invalid');
    const [, payload, sig] = token().split('.');
    const otherTyp = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: issuer.kid })).toString('base64url')}.${payload}.${sig}`;
    expect(codeOf(() => verifyStatusListToken(otherTyp, expected()))).toBe('malformed');
    expect(codeOf(() => verifyStatusListToken(token({ validFor: 10 }), { ...expected(), now: new Date(clock.getTime() + 11_000) }))).toBe(
      'expired',
    );
  });

  it('refuses a list whose issuer is not the credential issuer', () => {
    expect(codeOf(() => verifyStatusListToken(token(), { ...expected(), iss: 'https://other.example' }))).toBe('untrusted_issuer');
  });
});

describe('StatusListCache', () => {
  it('fetches once, serves from memory, refetches after ttl and keeps a stale list only within the grace period', async () => {
    const cache = new StatusListCache({ trust, now, staleGraceSeconds: 120 });
    const start = clock;
    expect(cache.lookup(issuer.statusUri, issuer.iss, clock)).toBeUndefined();
    const before = issuer.fetches.status;
    await Promise.all([cache.ensure(issuer.statusUri, issuer.iss), cache.ensure(issuer.statusUri, issuer.iss)]);
    expect(issuer.fetches.status).toBe(before + 1);
    expect(cache.lookup(issuer.statusUri, issuer.iss, clock)).toBeInstanceOf(StatusList);
    await cache.ensure(issuer.statusUri, issuer.iss);
    expect(issuer.fetches.status).toBe(before + 1);

    clock = new Date(start.getTime() + 61_000);
    issuer.list.set(9, STATUS.INVALID);
    await cache.ensure(issuer.statusUri, issuer.iss);
    expect(issuer.fetches.status).toBe(before + 2);
    expect(cache.lookup(issuer.statusUri, issuer.iss, clock)?.get(9)).toBe(STATUS.INVALID);

    // Past ttl with no refresh: still usable within the grace period, not after it.
    expect(cache.lookup(issuer.statusUri, issuer.iss, new Date(clock.getTime() + 150_000))).toBeDefined();
    expect(cache.lookup(issuer.statusUri, issuer.iss, new Date(clock.getTime() + 181_000))).toBeUndefined();
    expect(cache.lookup(issuer.statusUri, 'https://other.example', clock)).toBeUndefined();
  });

  it('logs a failed fetch without throwing and waits for the cooldown before retrying', async () => {
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    const cache = new StatusListCache({ trust, now, log, failureCooldownSeconds: 10 });
    const missing = `${issuer.iss}/status-lists/404`;
    await cache.ensure(missing, issuer.iss);
    await cache.ensure(missing, issuer.iss);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('HTTP 404');
    expect(warnings[0]).not.toContain('/status-lists/404');
    clock = new Date(clock.getTime() + 11_000);
    await cache.ensure(missing, issuer.iss);
    expect(warnings).toHaveLength(2);
  });
});
