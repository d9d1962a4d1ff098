import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpFetch, parseJws, parsePresentationRequestUri, requestObjectSchema } from '@shomei/shared';
import { cspViolations, launchChromium } from '@shomei/shared/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../clients/api-keys.js';
import { silentLogger } from '../log.js';
import { type RunningVerifier, startVerifier } from '../serve.js';
import { type IssuerStandIn, present, startIssuerStandIn } from '../testing/issuer-stand-in.js';

let issuer: IssuerStandIn;
let verifier: RunningVerifier;
let browser: Browser;
let apiKey: string;

beforeAll(async () => {
  issuer = await startIssuerStandIn(() => new Date());
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdesk-'));
  writeFileSync(join(dataDir, 'trust.json'), JSON.stringify({ issuers: [{ iss: issuer.iss }] }));
  verifier = await startVerifier({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    trustFile: join(dataDir, 'trust.json'),
    secret: 'front desk test secret',
    log: silentLogger,
  });
  const { openSqliteVerifierStore } = await import('../store/sql-store.js');
  const store = openSqliteVerifierStore(verifier.databaseFile);
  apiKey = (await createClient(store.clients, '酒のやまだ屋', new Date())).apiKey;
  store.close();
  browser = await launchChromium(chromium);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await verifier?.close();
  await issuer?.close();
});

/** A wallet on the customer's phone: reads the URI from the page, fetches the request object, answers. */
async function walletAnswers(requestUri: string, paths: string[][]) {
  const { requestUri: objectUrl } = parsePresentationRequestUri(requestUri);
  const ro = requestObjectSchema.parse(parseJws((await httpFetch(objectUrl)).body).payload);
  const vp = await present(await issuer.issue(), paths, { nonce: ro.nonce, aud: ro.client_id, iat: new Date() });
  const res = await httpFetch(ro.response_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ vp_token: JSON.stringify({ identity: [vp] }), state: ro.state }),
  });
  expect(res.status).toBe(200);
}

describe('front desk page in headless Chromium', () => {
  it('staff sign in, pick a preset, show the QR code, and see the result arrive', async () => {
    const page = await browser.newPage();
    const violations = await cspViolations(page);
    await page.goto(`${verifier.url}/`);
    await page.fill('input[name=api_key]', 'shv_wrong');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain('API');

    await page.fill('input[name=api_key]', apiKey);
    await page.click('button[type=submit]');
    await page.check('input[value=age_over_20]');
    await page.click('#start');

    await page.waitForSelector('#request-uri');
    expect(await page.getAttribute('#status', 'data-status')).toBe('pending');
    expect(await page.locator('.qr svg').count()).toBe(1);
    const uri = (await page.textContent('#request-uri')) as string;
    expect(uri).toMatch(/^openid4vp:\/\/\?client_id=decentralized_identifier%3Adid%3Aweb%3A127\.0\.0\.1/);

    await walletAnswers(uri, [['age_equal_or_over', '20']]);
    // The pending page reloads itself; the result arrives without staff doing anything.
    await page.waitForSelector('#status[data-status=accepted]', { timeout: 15_000 });
    const claims = await page.textContent('#claims');
    expect(claims).toContain('age_equal_or_over.20');
    expect(claims).toContain('true');
    expect(await page.textContent('body')).toContain('確認できました');
    // The styles applied (the stylesheet's hash matched) and nothing on any page was blocked.
    expect(violations).toEqual([]);
    expect(await page.evaluate("getComputedStyle(document.getElementById('status')).fontWeight")).toBe('700');
    await page.click('text=次の確認 / Next check');
    // Someone copies the desk's cookie before staff sign out: it works until then, never after.
    const stolen = (await page.context().cookies(verifier.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    const deskWith = async (cookie: string) => (await httpFetch(`${verifier.url}/`, { headers: { cookie } })).body;
    expect(await deskWith(stolen)).toContain('action="/front-desk/requests"');
    await page.click('text=Sign out');
    await page.waitForSelector('input[name=api_key]');
    expect(await deskWith(stolen)).toContain('name="api_key"');
    expect(await deskWith(stolen)).not.toContain('action="/front-desk/requests"');
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('a login form posted from another site is refused and leaves the desk signed out', async () => {
    // The attacker's page: another origin (localhost vs 127.0.0.1 is cross-site too) whose form
    // submits itself to the desk's login with the attacker's own API key.
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form method="post" action="${verifier.url}/front-desk/login">
        <input name="api_key" value="${apiKey}"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const answer = page.waitForResponse((r) => r.url().endsWith('/front-desk/login'));
      await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
      const res = await answer;
      expect(res.status()).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'cross_site_request' });
      expect(await context.cookies(verifier.url)).toEqual([]);
      await page.goto(`${verifier.url}/`);
      expect(await page.locator('input[name=api_key]').count()).toBe(1);
    } finally {
      await context.close();
      attacker.close();
    }
  }, 60_000);
});
