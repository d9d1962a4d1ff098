// Issue 14, item 15: a printed QR code must not turn into a request to the person's own machine.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { captureContext } from '../testing/fixtures.js';

let server: Server;
let origin: string;
const hits: string[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = {
    SHOMEI_PASSPHRASE: 'x',
    SHOMEI_HOME: join(mkdtempSync(join(tmpdir(), 'shomei-private-')), 'w'),
    SHOMEI_ALLOW_PRIVATE_NETWORK: '0',
  };
  expect(await runCli(['init'], captureContext(env))).toBe(0);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const requestUri = () =>
  `openid4vp://?client_id=${encodeURIComponent('redirect_uri:https://shop.example/cb')}&request_uri=${encodeURIComponent(`${origin}/internal-admin?delete=1`)}`;
const offerUri = () => `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(`${origin}/offers/1`)}`;

describe('the wallet and loopback addresses', () => {
  it('refuses a loopback request_uri and a loopback offer by default: nothing arrives', async () => {
    hits.length = 0;
    const present = captureContext(env);
    expect(await runCli(['present', requestUri(), '--yes'], present)).toBe(1);
    expect(present.rawErr()).toBe(
      `shomei: refused to fetch from ${new URL(origin).host}: only https is allowed\n  hint: the wallet fetches only https from public addresses\n`,
    );
    const httpsLoopback = captureContext(env);
    const uri = `openid4vp://?client_id=x&request_uri=${encodeURIComponent('https://127.0.0.1/internal-admin?delete=1')}`;
    expect(await runCli(['present', uri, '--yes'], httpsLoopback)).toBe(1);
    expect(httpsLoopback.rawErr()).toMatch(
      /^shomei: refused to fetch from 127\.0\.0\.1: it is a loopback address .*\n {2}hint: .*--allow-private-network\n$/,
    );
    expect(httpsLoopback.rawErr()).not.toContain('delete=1');
    const receive = captureContext(env);
    expect(await runCli(['receive', offerUri()], receive)).toBe(1);
    expect(receive.rawErr()).toMatch(/refused to fetch from 127\.0\.0\.1/);
    expect(hits).toEqual([]);
  });

  it('with --allow-private-network it fetches, after naming the host on stderr', async () => {
    hits.length = 0;
    const ctx = captureContext(env);
    expect(await runCli(['--allow-private-network', 'present', requestUri(), '--yes'], ctx)).toBe(1);
    expect(ctx.rawErr().split('\n')[0]).toBe(`shomei: fetching ${origin} (not https; allowed by SHOMEI_ALLOW_PRIVATE_NETWORK)`);
    expect(hits).toEqual(['GET /internal-admin?delete=1']);
  });
});
