import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/shomei-issuer.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** `shomei-issuer serve` on a port the OS picks: its start-up summary, then it is stopped. */
function startUpSummary(args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, SHOMEI_ISSUER_SECRET: 'serve cli test secret' };
  // The test runner allows private addresses for every test server; this test is about the flag.
  delete env.SHOMEI_ALLOW_PRIVATE_NETWORK;
  const data = mkdtempSync(join(tmpdir(), 'shomei-serve-cli-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, ...args], { env });
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start-up line: ${stdout}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!stdout.includes('listening on')) return;
      clearTimeout(timer);
      child.kill('SIGTERM');
      resolve(stdout);
    });
  });
}

describe.skipIf(!existsSync(DIST))('shomei-issuer serve --allow-private-network', () => {
  it('says in the start-up summary whether fetches may reach loopback and private addresses', async () => {
    const strict = await startUpSummary([]);
    expect(strict).toMatch(/outbound {4}public addresses only \(https; CRLs also http\), no redirects\n/);
    const open = await startUpSummary(['--allow-private-network']);
    expect(open).toContain('loopback and private addresses too (SHOMEI_ALLOW_PRIVATE_NETWORK, development)');
  }, 60_000);
});
