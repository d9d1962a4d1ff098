import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { didWebForOrigin, OutboundPolicy } from '@shomei/shared';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusListCache } from '../status/status-list-cache.js';
import { type IssuerStandIn, present, startIssuerStandIn } from '../testing/issuer-stand-in.js';
import { TrustService } from '../trust/trust-service.js';
import { parseTrustConfig } from '../trust/z-trust-config.js';
import { prefetchForPresentation } from '../verify/prefetch.js';
import { verifyPresentation } from '../verify/verify-presentation.js';
import { anchorStatusListToken, initAnchor, issueAccreditation, listAccreditations, revokeAccreditation } from './anchor.js';
import { verifyAccreditation } from './credential.js';
import { AccreditationRegistry } from './registry.js';
import { verifyingAgent } from './veramo.js';

let clock = new Date('2026-11-21T03:00:00Z');
const now = () => clock;
const NONCE = 'bm9uY2Utb2YtYXQtbGVhc3QtMTI4LWJpdHM';
const AUD = 'decentralized_identifier:did:web:127.0.0.1%3A5000';
const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);

let issuer: IssuerStandIn;
let anchorDir: string;
let anchorDid: string;
let anchorServer: ReturnType<typeof serve>;
let statusFetches = 0;

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
  // The anchor publishes its revocation list over real HTTP, signed afresh from its registry.
  const app = new Hono();
  app.get('/status/1', (c) => {
    statusFetches++;
    return c.body(anchorStatusListToken(anchorDir, clock), 200, { 'content-type': 'application/statuslist+jwt' });
  });
  anchorServer = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => anchorServer.once('listening', () => r()));
  const port = (anchorServer.address() as AddressInfo).port;
  anchorDir = join(mkdtempSync(join(tmpdir(), 'anchor-')), 'anchor');
  anchorDid = (await initAnchor(anchorDir, `http://127.0.0.1:${port}/status/1`)).did;
});
afterAll(async () => {
  await issuer.close();
  anchorServer.close();
});

async function accredit(maxAssurance: 'IAL1' | 'IAL2' | 'IAL3', validDays = 365, subject = didWebForOrigin(issuer.iss)) {
  return issueAccreditation(anchorDir, { subject, vcts: ['urn:shomei:vct:jp-identity:1'], maxAssurance, validDays, now: clock });
}

/** A verifier that lists no issuer, only the anchor. */
function verifierWithAnchor(anchors = [anchorDid]) {
  const trust = new TrustService(parseTrustConfig({ issuers: [], anchors: anchors.map((did) => ({ did })) }), { now });
  const statusLists = new StatusListCache({ trust, now });
  return { trust, statusLists };
}

/**
 * Presents a birthdate credential issued a minute before the clock and verifies it at the clock. By default the
 * verifier's caches are filled first (the cold path: accreditations, anchor list, issuer keys, status list);
 * `fromMemory` skips that, so only what `v` already holds answers.
 */
async function check(v: ReturnType<typeof verifierWithAnchor>, { fromMemory = false } = {}) {
  const vp = await present(await issuer.issue({ issuedAt: new Date(clock.getTime() - 60_000) }), [['birthdate']], {
    nonce: NONCE,
    aud: AUD,
    iat: clock,
  });
  if (!fromMemory) await prefetchForPresentation(v, vp);
  return verifyPresentation(vp, { now: clock, trust: v.trust, statusLists: v.statusLists, expectedNonce: NONCE, expectedAud: AUD });
}

describe('accreditation by a trust anchor (W3C VC-JWT via @veramo/credential-w3c)', () => {
  it('Veramo verifies the VC-JWT; Shomei checks the anchor, the subject and the dates', async () => {
    const { jwt } = await accredit('IAL2');
    const agent = verifyingAgent();
    const a = await verifyAccreditation(agent, jwt, { anchors: [anchorDid], subject: didWebForOrigin(issuer.iss), now: clock });
    expect(a).toMatchObject({ anchor: anchorDid, vcts: ['urn:shomei:vct:jp-identity:1'], maxAssurance: 'IAL2' });
    await expect(
      verifyAccreditation(agent, jwt, { anchors: ['did:jwk:eyJvdGhlciI6MX0'], subject: didWebForOrigin(issuer.iss), now: clock }),
    ).rejects.toMatchObject({ code: 'untrusted_issuer' });
    await expect(
      verifyAccreditation(agent, jwt, { anchors: [anchorDid], subject: 'did:web:someone.else', now: clock }),
    ).rejects.toMatchObject({ code: 'untrusted_issuer' });
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, -6)}AAAAAA`;
    await expect(
      verifyAccreditation(agent, tampered, { anchors: [anchorDid], subject: didWebForOrigin(issuer.iss), now: clock }),
    ).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it('rejects an issuer with no accreditation as untrusted_issuer', async () => {
    issuer.accreditations = [];
    const r = await check(verifierWithAnchor());
    expect(codes(r)).toEqual(['untrusted_issuer']);
  });

  it('rejects an accreditation for another KYC body', async () => {
    issuer.accreditations = [(await accredit('IAL3', 365, 'did:web:other-kyc.example')).jwt];
    expect(codes(await check(verifierWithAnchor()))).toEqual(['untrusted_issuer']);
  });

  it('rejects an accreditation from an anchor the verifier does not trust', async () => {
    issuer.accreditations = [(await accredit('IAL3')).jwt];
    const otherDir = join(mkdtempSync(join(tmpdir(), 'anchor2-')), 'a');
    const other = await initAnchor(otherDir, 'http://127.0.0.1:9/status/1');
    expect(codes(await check(verifierWithAnchor([other.did])))).toEqual(['untrusted_issuer']);
  });

  it('accepts an issuer holding a valid accreditation, without listing it', async () => {
    issuer.accreditations = [(await accredit('IAL2')).jwt];
    const v = verifierWithAnchor();
    const r = await check(v);
    expect(r).toMatchObject({ valid: true, issuer: issuer.iss, assurance_level: 'IAL2', disclosed: { birthdate: '1991-08-14' } });
    expect(v.trust.issuerPolicy(issuer.iss, clock)).toMatchObject({ source: 'accreditation', maxAssurance: 'IAL2' });
  });

  it('rejects assurance above the accredited level (assurance_not_allowed)', async () => {
    issuer.accreditations = [(await accredit('IAL1')).jwt];
    expect(codes(await check(verifierWithAnchor()))).toEqual(['assurance_not_allowed']);
  });

  it('rejects once the accreditation has expired (checked from memory at verification time)', async () => {
    const start = clock;
    issuer.accreditations = [(await accredit('IAL2', 1)).jwt];
    const v = verifierWithAnchor();
    expect((await check(v)).valid).toBe(true);
    clock = new Date(start.getTime() + 2 * 86_400_000);
    try {
      const r = await check(v, { fromMemory: true });
      expect(codes(r)).toEqual(['untrusted_issuer']);
      expect(r.errors[0]?.message).toMatch(/expired/);
      // and a fresh fetch of the expired VC-JWT is refused too
      expect(codes(await check(verifierWithAnchor()))).toEqual(['untrusted_issuer']);
    } finally {
      clock = start;
    }
  });

  it('rejects once the anchor revokes it (the anchor status list, refreshed in the background)', async () => {
    const { id, jwt } = await accredit('IAL2');
    issuer.accreditations = [jwt];
    const v = verifierWithAnchor();
    expect((await check(v)).valid).toBe(true);
    revokeAccreditation(anchorDir, id, clock);
    expect(listAccreditations(anchorDir).find((a) => a.id === id)?.revoked_at).toBeDefined();
    // Until the anchor list is refreshed the cached one answers; the background refresh picks up the revocation.
    const start = clock;
    clock = new Date(start.getTime() + 301_000);
    try {
      const before = statusFetches;
      await v.trust.refreshDue();
      expect(statusFetches).toBe(before + 1);
      const r = await check(v, { fromMemory: true });
      expect(codes(r)).toEqual(['untrusted_issuer']);
      expect(r.errors[0]?.message).toMatch(/revoked/);
    } finally {
      clock = start;
    }
  });

  it('looks up at most 30 unknown origins a minute (a presentation names its own iss)', async () => {
    const warnings: string[] = [];
    const registry = new AccreditationRegistry({
      anchors: [anchorDid],
      now,
      log: { info: () => {}, warn: (m) => warnings.push(m), error: () => {} },
      policy: new OutboundPolicy({ allowPrivateNetwork: true }),
    });
    // Port 9 on loopback refuses at once: each lookup is one failed fetch (127.0.0.0/8 is all loopback).
    await Promise.all(Array.from({ length: 31 }, (_, i) => registry.ensure(`http://127.0.0.${i + 1}:9/issuer`)));
    expect(warnings.filter((w) => w.includes('too many unknown issuer origins'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('failed'))).toHaveLength(30);
  });
});

describe('accreditation lookups an outsider cannot steer (issue 14, item 1)', () => {
  let counter: Server;
  let counterOrigin: string;
  const hits: string[] = [];
  beforeAll(async () => {
    counter = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => counter.listen(0, '127.0.0.1', r));
    counterOrigin = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => counter.close(() => r())));

  const registryWith = (policy: OutboundPolicy) => new AccreditationRegistry({ anchors: [anchorDid], now, policy });

  it('without the private-network setting, an unlisted iss on loopback or link-local is never contacted', async () => {
    hits.length = 0;
    const registry = registryWith(new OutboundPolicy());
    for (const iss of [
      counterOrigin,
      `${counterOrigin}/kyc`,
      `https://127.0.0.1/kyc`,
      'http://169.254.169.254',
      'https://169.254.169.254/latest',
    ]) {
      await registry.ensure(iss);
      expect(registry.policyFor(iss, clock)).toEqual({ untrusted: 'the issuer is neither configured nor accredited by a trust anchor' });
    }
    expect(hits).toEqual([]);
    // With the setting the same loopback lookup does arrive (the listener above would see it): the test can fail.
    await registryWith(new OutboundPolicy({ allowPrivateNetwork: true })).ensure(`${counterOrigin}/kyc`);
    expect(hits).toEqual(['/.well-known/shomei-accreditations']);
  });

  it('many paths on one origin: one lookup per back-off window (1 min, then 2 min), none in the background', async () => {
    hits.length = 0;
    const start = clock;
    try {
      const registry = registryWith(new OutboundPolicy({ allowPrivateNetwork: true }));
      await Promise.all(Array.from({ length: 50 }, (_, i) => registry.ensure(`${counterOrigin}/issuer-${i}`)));
      expect(hits).toHaveLength(1);
      const at = async (seconds: number) => {
        clock = new Date(start.getTime() + seconds * 1000);
        for (let i = 0; i < 20; i++) await registry.ensure(`${counterOrigin}/again-${seconds}-${i}`);
        await registry.refreshDue();
        return hits.length;
      };
      expect(await at(59)).toBe(1);
      expect(await at(60)).toBe(2);
      expect(await at(179)).toBe(2);
      expect(await at(180)).toBe(3);
      // The background refresh never goes back to an origin that holds no accreditation.
      clock = new Date(start.getTime() + 86_400_000);
      await registry.refreshDue();
      expect(hits).toHaveLength(3);
    } finally {
      clock = start;
    }
  });
});
