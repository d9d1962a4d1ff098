// HTTP hardening of the real services: security headers, no CORS (no endpoint needs a cross-origin
// browser), body size limits, header size limit, slowloris cut-off, the public rate limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Network, startNetwork } from '../../scripts/lib/harness.mjs';

let dir: string;
let net: Network;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-http-'));
  net = await startNetwork(join(dir, 'services'));
}, 60_000);
afterAll(async () => {
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const origin = { origin: 'https://evil.example' };

/** One request on its own connection (the server may close it early on 413/431); resolves with the status. */
function rawStatus(url: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: body === undefined ? 'GET' : 'POST', headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP hardening (real services over loopback)', () => {
  it('security headers on every kind of response, and no CORS grant to any origin', async () => {
    const urls = [
      [net.issuer.url, '/.well-known/openid-credential-issuer', 'GET'],
      [net.issuer.url, '/token', 'POST'],
      [net.issuer.url, '/credential', 'POST'],
      [net.issuer.url, '/operator', 'GET'],
      [net.issuer.url, '/no-such-path', 'GET'],
      [net.verifier.url, '/', 'GET'],
      [net.verifier.url, '/.well-known/did.json', 'GET'],
      [net.verifier.url, '/v1/verify', 'POST'],
      [net.verifier.url, '/oid4vp/responses/x', 'POST'],
    ] as const;
    for (const [base, path, method] of urls) {
      for (const m of [method, 'OPTIONS']) {
        const res = await fetch(`${base}${path}`, {
          method: m,
          headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
        });
        await res.arrayBuffer();
        expect(res.status, `${m} ${path}`).toBeLessThan(500);
        expect(res.headers.get('access-control-allow-origin'), `${m} ${path}`).toBeNull();
        expect(res.headers.get('access-control-allow-credentials'), `${m} ${path}`).toBeNull();
        expect(res.headers.get('x-content-type-options'), `${m} ${path}`).toBe('nosniff');
        expect(res.headers.get('x-frame-options'), `${m} ${path}`).toBe('SAMEORIGIN');
        expect(res.headers.get('referrer-policy'), `${m} ${path}`).toBe('no-referrer');
        expect(res.headers.get('x-powered-by'), `${m} ${path}`).toBeNull();
      }
    }
  });

  it('refuses oversized bodies with 413 on every body-taking public endpoint', async () => {
    const big = (n: number) => 'x'.repeat(n);
    const cases = [
      // Just over each limit (64 KiB at the issuer, 512 KiB for a wallet's response), so that the whole
      // body is on the wire before the server answers.
      [`${net.issuer.url}/token`, 'application/x-www-form-urlencoded', 65 * 1024],
      [`${net.issuer.url}/credential`, 'application/json', 65 * 1024],
      [`${net.issuer.url}/v1/applications`, 'application/json', 65 * 1024],
      [`${net.verifier.url}/oid4vp/responses/x`, 'application/x-www-form-urlencoded', 513 * 1024],
    ] as const;
    for (const [url, type, size] of cases) {
      expect(await rawStatus(url, { 'content-type': type }, big(size)), url).toBe(413);
    }
    const verify = await rawStatus(
      `${net.verifier.url}/v1/verify`,
      { authorization: `Bearer ${net.apiKey}`, 'content-type': 'application/json' },
      JSON.stringify({ presentation: big(513 * 1024) }),
    );
    expect(verify).toBe(413);
  });

  it('refuses request headers over 16 KiB with 431', async () => {
    for (const base of [net.issuer.url, net.verifier.url]) {
      expect(await rawStatus(`${base}/.well-known/did.json`, { 'x-big': 'y'.repeat(20 * 1024) })).toBe(431);
    }
  });

  it('closes a connection whose headers do not arrive within 10 s (slowloris)', async () => {
    const cut = (base: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(base);
        const started = Date.now();
        const socket = connect(Number(url.port), url.hostname, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1'));
        let answer = '';
        socket.on('data', (d) => {
          answer += d.toString();
        });
        socket.on('error', () => {});
        const timer = setTimeout(() => reject(new Error('still open after 15 s')), 15_000);
        socket.on('close', () => {
          clearTimeout(timer);
          expect(answer).toMatch(/^HTTP\/1\.1 408 /);
          resolve(Date.now() - started);
        });
      });
    for (const ms of await Promise.all([cut(net.issuer.url), cut(net.verifier.url)])) {
      expect(ms).toBeGreaterThanOrEqual(9_000);
      expect(ms).toBeLessThan(13_000);
    }
  }, 30_000);

  it('rate-limits the public application endpoint per address (10 per minute, then 429 with retry_after)', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await fetch(`${net.issuer.url}/v1/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'nope' }),
      });
      statuses.push(last.status);
      await last.arrayBuffer().catch(() => {});
    }
    expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
