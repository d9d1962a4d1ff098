import { generateEs256KeyPair } from '@shomei/shared';
import { codeOf } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuerStandIn, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { jwtVcIssuerMetadataUrl, TrustStore } from './trust-store.js';
import { parseTrustConfig } from './z-trust-config.js';

let clock = new Date('2026-11-21T03:00:00Z');
const now = () => clock;
let issuer: IssuerStandIn;

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
});
afterAll(() => issuer.close());

describe('trust configuration', () => {
  it('accepts pinned keys and discovery, and refuses what cannot work', () => {
    expect(parseTrustConfig({ issuers: [{ iss: 'http://127.0.0.1:4000' }] }).issuers).toHaveLength(1);
    const bad = [
      { issuers: [{ iss: 'http://127.0.0.1:4000/' }] },
      { issuers: [{ iss: 'ftp://issuer.example' }] },
      { issuers: [{ iss: 'http://a.example', discover: false }] },
      { issuers: [{ iss: 'http://a.example', keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] }] },
      { issuers: [{ iss: 'http://a.example' }, { iss: 'http://a.example' }] },
      { issuers: [{ iss: 'http://a.example', discovery: true }] },
    ];
    for (const config of bad) expect(codeOf(() => parseTrustConfig(config))).toBe('invalid_request');
  });

  it('puts the issuer path after the well-known segment', () => {
    expect(jwtVcIssuerMetadataUrl('https://kyc.example/tenant/1')).toBe('https://kyc.example/.well-known/jwt-vc-issuer/tenant/1');
    expect(jwtVcIssuerMetadataUrl('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000/.well-known/jwt-vc-issuer');
  });
});

describe('TrustStore', () => {
  it('refuses an issuer that is not configured', () => {
    const trust = new TrustStore({ issuers: [] }, { now });
    expect(codeOf(() => trust.resolveKey(issuer.iss, { kid: issuer.kid }))).toBe('untrusted_issuer');
  });

  it('resolves pinned keys by kid without any fetch', () => {
    const trust = new TrustStore({ issuers: [{ iss: issuer.iss, keys: [{ ...issuer.key.publicJwk, kid: issuer.kid }] }] }, { now });
    expect(trust.resolveKey(issuer.iss, { kid: issuer.kid }).asymmetricKeyType).toBe('ec');
    expect(codeOf(() => trust.resolveKey(issuer.iss, { kid: 'another' }))).toBe('untrusted_issuer');
  });

  it('discovers keys from jwt-vc-issuer once, caches them for the TTL, then refreshes', async () => {
    const trust = new TrustStore({ issuers: [{ iss: issuer.iss }] }, { now, keyTtlSeconds: 600 });
    const before = issuer.fetches.jwks;
    expect(codeOf(() => trust.resolveKey(issuer.iss, { kid: issuer.kid }))).toBe('untrusted_issuer');
    await Promise.all([trust.ensureKeys(issuer.iss, issuer.kid), trust.ensureKeys(issuer.iss, issuer.kid)]);
    expect(issuer.fetches.jwks).toBe(before + 1);
    expect(trust.resolveKey(issuer.iss, { kid: issuer.kid })).toBeDefined();
    await trust.ensureKeys(issuer.iss, issuer.kid);
    expect(issuer.fetches.jwks).toBe(before + 1);
    clock = new Date(clock.getTime() + 601_000);
    await trust.ensureKeys(issuer.iss, issuer.kid);
    expect(issuer.fetches.jwks).toBe(before + 2);
  });

  it('refetches for an unknown kid at most once per cooldown', async () => {
    const trust = new TrustStore({ issuers: [{ iss: issuer.iss }] }, { now, failureCooldownSeconds: 30 });
    await trust.ensureKeys(issuer.iss);
    const before = issuer.fetches.jwks;
    await trust.ensureKeys(issuer.iss, 'rotated-kid');
    expect(issuer.fetches.jwks).toBe(before);
    clock = new Date(clock.getTime() + 31_000);
    await trust.ensureKeys(issuer.iss, 'rotated-kid');
    await trust.ensureKeys(issuer.iss, 'rotated-kid');
    expect(issuer.fetches.jwks).toBe(before + 1);
  });

  it('refuses metadata that names another issuer', async () => {
    issuer.claimedIssuer = 'http://127.0.0.1:1';
    try {
      const trust = new TrustStore({ issuers: [{ iss: issuer.iss }] }, { now });
      await trust.ensureKeys(issuer.iss, issuer.kid);
      expect(codeOf(() => trust.resolveKey(issuer.iss, { kid: issuer.kid }))).toBe('untrusted_issuer');
    } finally {
      issuer.claimedIssuer = undefined;
    }
  });

  it('keeps no keys for an unreachable issuer and does not retry during the cooldown', async () => {
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    const trust = new TrustStore({ issuers: [{ iss: 'http://127.0.0.1:9' }] }, { now, log });
    await trust.ensureKeys('http://127.0.0.1:9');
    await trust.ensureKeys('http://127.0.0.1:9');
    expect(warnings).toHaveLength(1);
    expect(codeOf(() => trust.resolveKey('http://127.0.0.1:9', {}))).toBe('untrusted_issuer');
  });

  it('with a single key pinned without kid, uses it whatever kid a JWS names', () => {
    const k = generateEs256KeyPair();
    const trust = new TrustStore({ issuers: [{ iss: 'https://kyc.example', keys: [k.publicJwk] }] }, { now });
    expect(trust.resolveKey('https://kyc.example', { kid: 'x' })).toBeDefined();
    expect(trust.resolveKey('https://kyc.example', {})).toBeDefined();
  });
});
