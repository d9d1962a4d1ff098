import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShomeiError } from '../errors.js';
import { httpFetch } from './fetch.js';
import { OutboundPolicy } from './outbound-policy.js';

let server: Server;
let port: number;
let hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} host=${req.headers.host}`);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body, type: req.headers['content-type'] ?? null })),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isShomeiError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the fetch was not refused');
}

const strict = () => new OutboundPolicy();
const dev = () => new OutboundPolicy({ allowPrivateNetwork: true });

describe('httpFetch under the outbound policy', () => {
  it('refuses loopback targets without the private-network setting, before connecting', async () => {
    hits = [];
    for (const url of [
      `http://127.0.0.1:${port}/x`,
      `https://127.0.0.1:${port}/x`,
      `http://localhost:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
    ]) {
      expect((await refusal(httpFetch(url, { policy: strict() }))).code).toBe('fetch_refused');
    }
    // A name that resolves to loopback (the policy asks DNS first, then judges the address).
    const resolvesToLoopback = new OutboundPolicy({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const r = await refusal(httpFetch('https://innocent.example/path?secret=1', { policy: resolvesToLoopback }));
    expect(r).toEqual({
      code: 'fetch_refused',
      message: 'refused to fetch from innocent.example: it is a loopback address (SHOMEI_ALLOW_PRIVATE_NETWORK=1 allows it in development)',
    });
    expect(hits).toEqual([]);
  });

  it('refuses link-local (cloud metadata) addresses even with the setting, without any connection', async () => {
    const resolvesToMetadata = new OutboundPolicy({
      allowPrivateNetwork: true,
      resolve: async () => [{ address: '169.254.169.254', family: 4 }],
    });
    expect((await refusal(httpFetch('http://metadata.example/latest', { policy: resolvesToMetadata }))).code).toBe('fetch_refused');
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
      'http://[fe80::1]/',
      'http://[::ffff:a9fe:a9fe]/',
    ]) {
      const r = await refusal(httpFetch(url, { policy: dev(), timeoutMs: 200 }));
      expect(r.code).toBe('fetch_refused');
      expect(r.message).toMatch(/link-local or metadata address/);
    }
  });

  it('refuses a name when any address it resolves to is refused', async () => {
    const mixed = new OutboundPolicy({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    });
    expect((await refusal(httpFetch('https://mixed.example/', { policy: mixed }))).code).toBe('fetch_refused');
  });

  it('refuses other schemes, plain http and other ports to public hosts, before any DNS lookup', async () => {
    let lookups = 0;
    const counting = new OutboundPolicy({
      resolve: async () => {
        lookups++;
        return [{ address: '93.184.216.34', family: 4 }];
      },
    });
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/',
      'http://example.com/',
      'https://example.com:8443/',
      'https://user:pw@example.com/',
    ]) {
      expect((await refusal(httpFetch(url, { policy: counting }))).code).toBe('fetch_refused');
    }
    expect(lookups).toBe(0);
  });

  it('with the setting, fetches loopback (and says so first), posts form bodies, and never follows a redirect', async () => {
    hits = [];
    const notes: string[] = [];
    const policy = dev().withNotice((n) => notes.push(n));
    const res = await httpFetch(`http://127.0.0.1:${port}/hello`, { policy, method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(res.json()).toEqual({ body: 'a=1', type: 'application/x-www-form-urlencoded;charset=UTF-8' });
    expect(notes).toEqual([`fetching http://127.0.0.1:${port} (not https; allowed by SHOMEI_ALLOW_PRIVATE_NETWORK)`]);
    const redirect = await httpFetch(`http://127.0.0.1:${port}/redirect`, { policy });
    expect(redirect.status).toBe(302);
    expect(hits).toEqual([`POST /hello host=127.0.0.1:${port}`, `GET /redirect host=127.0.0.1:${port}`]);
  });

  it('connects to the address it checked, not to a second answer of the name', async () => {
    hits = [];
    let answers = 0;
    // A rebinding resolver: first loopback (allowed here), then the metadata address.
    const rebinding = new OutboundPolicy({
      allowPrivateNetwork: true,
      resolve: async () => [answers++ === 0 ? { address: '127.0.0.1', family: 4 } : { address: '169.254.169.254', family: 4 }],
    });
    const res = await httpFetch(`http://rebind.example:${port}/once`, { policy: rebinding });
    expect(res.status).toBe(200);
    expect(answers).toBe(1);
    expect(hits).toEqual([`GET /once host=rebind.example:${port}`]);
  });

  it('backs a failed origin off: the next attempt inside the window makes no connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let now = 0;
    const policy = new OutboundPolicy({ allowPrivateNetwork: true, now: () => now, backoff: { baseMs: 1000 } });
    expect((await refusal(httpFetch(`http://127.0.0.1:${deadPort}/a`, { policy }))).message).toBe(
      `could not reach http://127.0.0.1:${deadPort}`,
    );
    expect((await refusal(httpFetch(`http://127.0.0.1:${deadPort}/b`, { policy }))).message).toMatch(/failed recently/);
    now = 1000;
    expect((await refusal(httpFetch(`http://127.0.0.1:${deadPort}/c`, { policy }))).message).toMatch(/could not reach/);
    now = 2999;
    expect((await refusal(httpFetch(`http://127.0.0.1:${deadPort}/d`, { policy }))).message).toMatch(/failed recently/);
  });
});
