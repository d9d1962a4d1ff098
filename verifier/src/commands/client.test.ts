import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSqliteVerifierStore } from '../store/sqlite.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'shomei-verifier.js');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
