import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { type RunningVerifier, startVerifier } from '../serve.js';
import { openSqliteVerifierStore } from '../store/sql-store.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'shomei-verifier.js');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `cli` without blocking this process: the verifier under test runs in it, and a blocked event loop
 * lets its keep-alive timer close a pooled connection just as the next fetch reuses it (ECONNRESET
 * under load).
 */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('shomei-verifier client create / purge', () => {
  it('creates a business with a webhook (secret shown once, sealed at rest) and a retention setting', () => {
    const data = mkdtempSync(join(tmpdir(), 'client-cli-'));
    const r = cli(
      [
        'client',
        'create',
        '--name',
        'Shop',
        '--data',
        data,
        '--webhook',
        'http://127.0.0.1:9/hook',
        '--retention-days',
        '30',
        '--keep-values',
        '--json',
      ],
      {
        SHOMEI_VERIFIER_SECRET: 'cli test secret',
      },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; api_key: string; webhook_secret: string };
    expect(out.api_key).toMatch(/^shv_/);
    expect(out.webhook_secret).toMatch(/^whsec_/);
    const store = openSqliteVerifierStore(join(data, 'verifier.db'));
    try {
      const row = store.db.prepare('SELECT * FROM clients WHERE id = ?').get(out.id) as Record<string, unknown>;
      expect(row).toMatchObject({ webhook_url: 'http://127.0.0.1:9/hook', retention_days: 30, keep_values: 1 });
      expect(JSON.stringify(row)).not.toContain(out.webhook_secret);
      expect(JSON.stringify(row)).not.toContain(out.api_key);
    } finally {
      store.close();
    }
    const purge = cli(['purge', '--data', data, '--json']);
    expect(purge.code).toBe(0);
    expect(JSON.parse(purge.stdout)).toEqual({ evidence: 0, requestResults: 0 });
  });

  it('refuses a plain-http webhook off loopback, and a webhook without the vault secret', () => {
    const data = mkdtempSync(join(tmpdir(), 'client-cli-'));
    const env = { SHOMEI_VERIFIER_SECRET: '' };
    expect(
      cli(['client', 'create', '--name', 'S', '--data', data, '--webhook', 'http://shop.example/hook'], { SHOMEI_VERIFIER_SECRET: 's' })
        .code,
    ).toBe(1);
    const noSecret = cli(['client', 'create', '--name', 'S', '--data', data, '--webhook', 'https://shop.example/hook'], env);
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain('vault secret');
    const store = openSqliteVerifierStore(join(data, 'verifier.db'));
    try {
      expect(store.db.prepare('SELECT count(*) AS n FROM clients').get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });
});

describe('shomei-verifier client rotate-key / revoke against a running verifier', () => {
  const data = mkdtempSync(join(tmpdir(), 'client-keys-cli-'));
  let verifier: RunningVerifier;
  beforeAll(async () => {
    verifier = await startVerifier({ host: '127.0.0.1', port: 0, dataDir: data, secret: 'cli keys test secret', log: silentLogger });
  });
  afterAll(() => verifier?.close());

  /** 404: the key is good (the request id is not); 401: the key is refused. */
  const apiStatus = async (key: string) =>
    (await fetch(`${verifier.url}/v1/presentation-requests/none`, { headers: { authorization: `Bearer ${key}` } })).status;

  it('rotate-key prints a new key once and the old one stops at once; revoke stops the key; neither logs a key', async () => {
    const created = JSON.parse((await cliAsync(['client', 'create', '--name', 'Shop', '--data', data, '--json'])).stdout) as {
      id: string;
      api_key: string;
    };
    expect(await apiStatus(created.api_key)).toBe(404);

    const rotate = await cliAsync(['client', 'rotate-key', created.id, '--data', data, '--json']);
    expect(rotate.code).toBe(0);
    const rotated = JSON.parse(rotate.stdout) as { id: string; api_key: string; sessions_ended: number };
    expect(rotated).toMatchObject({ id: created.id, name: 'Shop', sessions_ended: 0 });
    expect(rotated.api_key).toMatch(/^shv_[A-Za-z0-9_-]{43}$/);
    expect(rotated.api_key).not.toBe(created.api_key);
    expect(rotate.stderr).toMatch(new RegExp(`audit: client ${created.id} API key rotated`));
    expect(rotate.stderr).not.toContain('shv_');
    // No restart, no cache to wait for: the service reads the key on every call.
    expect(await apiStatus(created.api_key)).toBe(401);
    expect(await apiStatus(rotated.api_key)).toBe(404);

    const human = await cliAsync(['client', 'rotate-key', created.id, '--data', data]);
    expect(human.code).toBe(0);
    const humanKey = human.stdout.trim().split('\n').at(-1) as string;
    expect(humanKey).toMatch(/^shv_/);
    expect(await apiStatus(rotated.api_key)).toBe(401);

    const revoke = await cliAsync(['client', 'revoke', created.id, '--data', data, '--json']);
    expect(revoke.code).toBe(0);
    expect(JSON.parse(revoke.stdout)).toMatchObject({ id: created.id, already_revoked: false, sessions_ended: 0 });
    expect(revoke.stderr).toContain(`audit: client ${created.id} revoked`);
    expect(`${revoke.stdout}${revoke.stderr}`).not.toContain('shv_');
    expect(await apiStatus(humanKey)).toBe(401);

    const again = await cliAsync(['client', 'revoke', created.id, '--data', data]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already revoked');
    const list = JSON.parse((await cliAsync(['client', 'list', '--data', data, '--json'])).stdout) as Record<string, unknown>[];
    expect(list.find((c) => c.id === created.id)).toHaveProperty('revoked_at');
    expect(list.find((c) => c.id === created.id)).toHaveProperty('key_rotated_at');

    const rotateRevoked = await cliAsync(['client', 'rotate-key', created.id, '--data', data]);
    expect(rotateRevoked.code).toBe(1);
    expect(rotateRevoked.stderr).toContain('the client is revoked');
  }, 60_000);

  it('refuses an unknown client id, and documents both commands with examples', async () => {
    for (const command of ['revoke', 'rotate-key']) {
      const r = await cliAsync(['client', command, 'no-such-client', '--data', data]);
      expect(r.code, command).toBe(1);
      expect(r.stderr).toContain('no client with this id');
      const help = await cliAsync(['client', command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toContain(`shomei-verifier client ${command}`);
      expect(help.stdout).toContain('--json');
    }
  }, 60_000);
});
