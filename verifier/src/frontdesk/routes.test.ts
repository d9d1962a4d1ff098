import { hash } from 'node:crypto';
import { KeyVault } from '@shomei/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, revokeClient, rotateApiKey } from '../clients/api-keys.js';
import { createApp, NOTHING_ALLOWED_CSP } from '../http/app.js';
import { loadVerifierIdentity } from '../keys.js';
import type { Logger } from '../log.js';
import { StatusListCache } from '../status/status-list-cache.js';
import { openSqliteVerifierStore } from '../store/sql-store.js';
import { TrustStore } from '../trust/trust-store.js';
import { FRONT_DESK_CSP } from './html.js';
import { SESSION_SECONDS } from './session.js';

// The front desk through app.request(): login CSRF (issue 14, item 2), server-side sessions (item 3),
// CSP (item 5), malformed forms (item 13), and what revoke / rotate-key do to a signed-in desk (item 14).
const BASE = 'http://127.0.0.1:5000';
const START = new Date('2026-11-21T03:00:00Z');
let clock = START;
const logLines: string[] = [];
const log: Logger = { info: () => {}, warn: (m) => logLines.push(m), error: (m) => logLines.push(m) };

const sqlite = openSqliteVerifierStore(':memory:');
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const vault = await KeyVault.open(sqlite.vault, 'front desk test secret');
  const identity = await loadVerifierIdentity(vault, BASE);
  const now = () => clock;
  const trust = new TrustStore({ issuers: [] }, { now, log });
  app = createApp({
    store: sqlite,
    identity,
    sealer: vault,
    trust,
    statusLists: new StatusListCache({ trust, now, log }),
    baseUrl: BASE,
    now,
    log,
  });
});
afterAll(() => sqlite.close());
beforeEach(() => {
  clock = START;
  logLines.length = 0;
});

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin', origin: BASE };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function newKey(name = 'Shop'): Promise<{ id: string; apiKey: string }> {
  const { client, apiKey } = await createClient(sqlite.clients, name, clock);
  return { id: client.id, apiKey };
}

function post(path: string, headers: Record<string, string>, body: string | URLSearchParams | FormData = '') {
  return app.request(path, { method: 'POST', headers, body });
}

/** The desk's cookie as a browser would send it back, from a response's Set-Cookie. */
function cookieOf(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('shomei_desk=') && !c.startsWith('shomei_desk=;'));
  if (!set) throw new Error('no session cookie was set');
  return set.split(';')[0] as string;
}

async function signIn(apiKey: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await post('/front-desk/login', { ...FORM, ...SAME_ORIGIN, ...extra }, new URLSearchParams({ api_key: apiKey }));
  expect(res.status).toBe(303);
  return cookieOf(res);
}

/** True when the cookie opens the signed-in page, false when the login page answers. */
async function signedIn(cookie: string): Promise<boolean> {
  const text = await (await app.request('/', { headers: { cookie } })).text();
  return text.includes('action="/front-desk/requests"');
}

const sessionRows = () => (sqlite.db.prepare('SELECT count(*) AS n FROM frontdesk_sessions').get() as { n: number }).n;

describe('front desk: cross-site form posts (login CSRF)', () => {
  it('refuses a cross-site login with cross_site_request, sets no cookie and stores no session', async () => {
    const { apiKey } = await newKey();
    const before = sessionRows();
    const forged: Record<string, string>[] = [
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' },
      // A browser's word beats an Origin a non-browser could put anywhere.
      { 'sec-fetch-site': 'cross-site', origin: BASE },
      { 'sec-fetch-site': 'same-site', origin: 'https://desk.127.0.0.1' },
      { 'sec-fetch-site': 'none' },
      // Neither header: not a browser page of this site (see same-origin.ts for why this is refused).
      {},
    ];
    for (const headers of forged) {
      const res = await post('/front-desk/login', { ...FORM, ...headers }, new URLSearchParams({ api_key: apiKey }));
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'cross_site_request' });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // Multipart and text/plain are form encodings a cross-site page can send too.
    const multipart = new FormData();
    multipart.set('api_key', apiKey);
    expect((await post('/front-desk/login', { origin: 'https://attacker.example' }, multipart)).status).toBe(403);
    expect(
      (await post('/front-desk/login', { 'content-type': 'text/plain', origin: 'https://attacker.example' }, `api_key=${apiKey}`)).status,
    ).toBe(403);
    expect(sessionRows()).toBe(before);
  });

  it('accepts a login from the page itself: Sec-Fetch-Site same-origin, or (older browsers) a same Origin alone', async () => {
    const { apiKey } = await newKey();
    expect(await signedIn(await signIn(apiKey, { 'sec-fetch-site': 'same-origin', origin: 'https://stale.example' }))).toBe(true);
    const onlyOrigin = await post('/front-desk/login', { ...FORM, origin: BASE }, new URLSearchParams({ api_key: apiKey }));
    expect(onlyOrigin.status).toBe(303);
    expect(await signedIn(cookieOf(onlyOrigin))).toBe(true);
  });

  it('refuses cross-site sign-out and cross-site new requests, and leaves the wallet endpoint to its own checks', async () => {
    const { apiKey } = await newKey();
    const cookie = await signIn(apiKey);
    const evil = { ...FORM, cookie, origin: 'https://attacker.example' };
    expect((await post('/front-desk/logout', evil)).status).toBe(403);
    expect((await post('/front-desk/requests', evil, 'preset=age_over_20')).status).toBe(403);
    expect(await signedIn(cookie)).toBe(true);
    // Wallets post direct_post from anywhere: the desk's check is scoped to /front-desk/*.
    const wallet = await post('/oid4vp/responses/nope', { ...FORM, origin: 'https://wallet.example' }, 'vp_token=x&state=y');
    expect(await wallet.json()).not.toMatchObject({ code: 'cross_site_request' });
  });
});

describe('front desk: server-side sessions', () => {
  it("answers an unknown request link, or another business's, with an HTML page that leads back", async () => {
    const { apiKey } = await newKey();
    const other = await newKey('Other Shop');
    const created = await app.request('/v1/presentation-requests', {
      method: 'POST',
      headers: { authorization: `Bearer ${other.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ preset: 'age_over_20' }),
    });
    const { id: othersRequest } = (await created.json()) as { id: string };
    const cookie = await signIn(apiKey);
    for (const id of ['no-such-request', othersRequest]) {
      const res = await app.request(`/front-desk/requests/${id}`, { headers: { cookie } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const text = await res.text();
      expect(text).toContain('この確認依頼は見つかりません');
      expect(text).toContain('href="/"');
    }
  });

  it('keeps only the hash of a random session id, and a stolen cookie stops working after sign-out', async () => {
    const { apiKey } = await newKey();
    const cookie = await signIn(apiKey);
    const id = cookie.slice('shomei_desk='.length);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    const stored = JSON.stringify(sqlite.db.prepare('SELECT * FROM frontdesk_sessions').all());
    expect(stored).not.toContain(id);
    expect(stored).toContain(hash('sha256', id, 'hex'));

    const stolen = cookie;
    const out = await post('/front-desk/logout', { ...SAME_ORIGIN, cookie });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/shomei_desk=;.*Max-Age=0/);
    expect(await signedIn(stolen)).toBe(false);
    const replay = await post('/front-desk/requests', { ...FORM, ...SAME_ORIGIN, cookie: stolen }, 'preset=age_over_20');
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/');
    expect(sqlite.db.prepare('SELECT * FROM frontdesk_sessions WHERE id_hash = ?').get(hash('sha256', id, 'hex'))).toBeUndefined();
  });

  it('gives a new id at every sign-in, never adopts a planted cookie, and ends the previous session of that browser', async () => {
    const { apiKey } = await newKey();
    const first = await signIn(apiKey);
    const second = await signIn(apiKey, { cookie: first });
    expect(second).not.toBe(first);
    expect(await signedIn(second)).toBe(true);
    expect(await signedIn(first)).toBe(false);
    const planted = 'shomei_desk=attacker-chosen-value';
    const afterPlant = await signIn(apiKey, { cookie: planted });
    expect(afterPlant).not.toBe(planted);
    expect(await signedIn(planted)).toBe(false);
  });

  it('ends a session after 8 hours whatever the browser keeps, and sets an HttpOnly SameSite=Strict cookie', async () => {
    const { apiKey } = await newKey();
    const res = await post('/front-desk/login', { ...FORM, ...SAME_ORIGIN }, new URLSearchParams({ api_key: apiKey }));
    expect(res.headers.getSetCookie().join()).toMatch(new RegExp(`Max-Age=${SESSION_SECONDS}.*HttpOnly.*SameSite=Strict`));
    const cookie = cookieOf(res);
    clock = new Date(START.getTime() + SESSION_SECONDS * 1000 - 1);
    expect(await signedIn(cookie)).toBe(true);
    clock = new Date(START.getTime() + SESSION_SECONDS * 1000);
    expect(await signedIn(cookie)).toBe(false);
  });

  it('client revoke ends every session of the business and stops its key on the API and the desk at once', async () => {
    const { id, apiKey } = await newKey();
    const desks = [await signIn(apiKey), await signIn(apiKey)];
    const api = () => app.request('/v1/presentation-requests/x', { headers: { authorization: `Bearer ${apiKey}` } });
    expect((await api()).status).toBe(404);
    const done = await revokeClient(sqlite, id, clock);
    expect(done).toMatchObject({ alreadyRevoked: false, sessionsEnded: 2 });
    for (const cookie of desks) expect(await signedIn(cookie)).toBe(false);
    expect((await api()).status).toBe(401);
    const login = await post('/front-desk/login', { ...FORM, ...SAME_ORIGIN }, new URLSearchParams({ api_key: apiKey }));
    expect(login.status).toBe(401);
    expect((await revokeClient(sqlite, id, clock)).alreadyRevoked).toBe(true);
  });

  it('client rotate-key: the old key stops at once, the new one works, desks signed in with the old key are signed out', async () => {
    const { id, apiKey: oldKey } = await newKey();
    const desk = await signIn(oldKey);
    const api = (key: string) => app.request('/v1/presentation-requests/x', { headers: { authorization: `Bearer ${key}` } });
    const { apiKey: newKeyValue, sessionsEnded } = await rotateApiKey(sqlite, id, clock);
    expect(sessionsEnded).toBe(1);
    expect(newKeyValue).not.toBe(oldKey);
    expect((await api(oldKey)).status).toBe(401);
    expect((await api(newKeyValue)).status).toBe(404);
    expect(await signedIn(desk)).toBe(false);
    expect(await signedIn(await signIn(newKeyValue))).toBe(true);
  });
});

describe('front desk: malformed forms', () => {
  it('answers a broken multipart body with 400 malformed and logs no error', async () => {
    const broken = [
      { 'content-type': 'multipart/form-data; boundary=xyz', body: '--xyz\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nshv_' },
      { 'content-type': 'multipart/form-data', body: 'no boundary at all' },
      { 'content-type': 'multipart/form-data; boundary=xyz', body: 'garbage without any boundary' },
    ];
    for (const { body, ...headers } of broken) {
      const res = await post('/front-desk/login', { ...headers, ...SAME_ORIGIN }, body);
      expect(res.status, headers['content-type']).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'malformed' });
    }
    const { apiKey } = await newKey();
    const cookie = await signIn(apiKey);
    const res = await post(
      '/front-desk/requests',
      { ...SAME_ORIGIN, cookie, 'content-type': 'multipart/form-data; boundary=q' },
      '--q\r\nbroken',
    );
    expect(res.status).toBe(400);
    expect(logLines).toEqual([]);
  });

  it('answers a body that is not a form with 415, and one over the size limit with 413', async () => {
    const json = await post('/front-desk/login', { ...SAME_ORIGIN, 'content-type': 'application/json' }, '{"api_key":"x"}');
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ code: 'unsupported_media_type' });
    const big = await post('/front-desk/login', { ...FORM, ...SAME_ORIGIN }, `api_key=${'a'.repeat(64 * 1024)}`);
    expect(big.status).toBe(413);
    expect(logLines).toEqual([]);
  });
});

describe('front desk: Content-Security-Policy', () => {
  const styleHash = (html: string) => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] as string;
    return `'sha256-${hash('sha256', style, 'base64')}'`;
  };

  it('sends the strict policy on the login, desk and pending pages; it allows the one stylesheet by hash and nothing else', async () => {
    const { apiKey } = await newKey();
    const cookie = await signIn(apiKey);
    const created = await post('/front-desk/requests', { ...FORM, ...SAME_ORIGIN, cookie }, 'preset=age_over_20');
    const pages = [
      await app.request('/'),
      await app.request('/', { headers: { cookie } }),
      await app.request(created.headers.get('location') as string, { headers: { cookie } }),
    ];
    for (const res of pages) {
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') as string;
      expect(csp).toBe(FRONT_DESK_CSP);
      const html = await res.text();
      expect(csp.split('; ')).toEqual([
        "default-src 'none'",
        `style-src ${styleHash(html)}`,
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ]);
      // Nothing the policy would block: no script, no style attribute, no external resource.
      expect(html).not.toMatch(/<script|style="|<img|<link/);
    }
  });

  it('sends the nothing-allowed policy on every other response', async () => {
    for (const path of ['/no-such-page', '/healthz', '/.well-known/did.json']) {
      expect((await app.request(path)).headers.get('content-security-policy'), path).toBe(NOTHING_ALLOWED_CSP);
    }
  });
});
