import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { taro } from '../testing/harness.js';

const BIN = fileURLToPath(new URL('../../bin/shomei-issuer.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const ESC = '\u001b';

/** An issuer stand-in that answers every request with one fixed status and body. */
async function answering(status: number, body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function sandboxOffer(issuer: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const identity = join(mkdtempSync(join(tmpdir(), 'shomei-offer-cli-')), 'identity.json');
  writeFileSync(identity, JSON.stringify(taro));
  const child = spawn(process.execPath, [BIN, 'sandbox', 'offer', '--issuer', issuer, '--token', 'test-token', '--identity', identity]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(!existsSync(DIST))('shomei-issuer sandbox offer against a hostile issuer', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('prints a refusal without the escape sequences it carried', async () => {
    const hostile = await answering(403, JSON.stringify({ code: `forbidden${ESC}[2J`, detail: `no${ESC}]0;pwned\u0007 way` }));
    server = hostile.server;
    const run = await sandboxOffer(hostile.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the issuer answered 403: forbidden[2J: no]0;pwned way');
    expect(run.stderr).not.toContain(ESC);
  });

  it('refuses a 201 answer that is not a sandbox offer instead of printing it', async () => {
    const offer = {
      sandbox: true,
      offer_uri: 'openid-credential-offer://?credential_offer=x',
      tx_code: `123${ESC}[31m`,
      expires_at: '2026-11-21T00:00:00Z',
    };
    const hostile = await answering(201, JSON.stringify(offer));
    server = hostile.server;
    const run = await sandboxOffer(hostile.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not with a sandbox offer');
    expect(run.stdout).toBe('');
  });
});
