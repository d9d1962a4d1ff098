import { STATUS, StatusList, signStatusListToken } from '@shomei/shared';
import { codeOf } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('StatusListCache bounds (issue 14, item 7)', () => {
  const KIB = 1024;
  const listToken = (uri: string, bytes: number) =>
    signStatusListToken({
      issuer: issuer.iss,
      uri,
      list: StatusList.empty(bytes * 4, 2),
      issuedAt: clock,
      ttl: 60,
      validFor: 3600,
      key: issuer.key.privateKey,
      kid: issuer.kid,
    });
  const uri = (n: number) => `${issuer.iss}/status-lists/${n}`;

  it('holds at most maxLists lists and drops the least recently used first', () => {
    const cache = new StatusListCache({ trust, now, maxLists: 3 });
    for (const n of [1, 2, 3]) cache.ingest(uri(n), issuer.iss, listToken(uri(n), KIB));
    expect(cache.lookup(uri(1), issuer.iss, clock)).toBeDefined(); // 1 is now more recent than 2
    cache.ingest(uri(4), issuer.iss, listToken(uri(4), KIB));
    expect(cache.usage.lists).toBe(3);
    expect(cache.lookup(uri(2), issuer.iss, clock)).toBeUndefined();
    expect(cache.needsFetch(uri(2), issuer.iss)).toBe(true);
    for (const n of [1, 3, 4]) expect(cache.lookup(uri(n), issuer.iss, clock)).toBeDefined();
  });

  it('holds at most maxTotalBytes inflated and refuses a list larger than the whole budget', () => {
    const cache = new StatusListCache({ trust, now, maxTotalBytes: 100 * KIB });
    for (let n = 1; n <= 10; n++) cache.ingest(uri(n), issuer.iss, listToken(uri(n), 30 * KIB));
    expect(cache.usage).toEqual({ lists: 3, bytes: 90 * KIB });
    expect(cache.uris()).toEqual([uri(8), uri(9), uri(10)]);
    // Re-ingesting a cached URI replaces its bytes instead of counting them twice.
    cache.ingest(uri(10), issuer.iss, listToken(uri(10), 30 * KIB));
    expect(cache.usage.bytes).toBe(90 * KIB);
    expect(codeOf(() => cache.ingest(uri(11), issuer.iss, listToken(uri(11), 101 * KIB)))).toBe('malformed');
    expect(cache.usage.lists).toBe(3);
  });
});
