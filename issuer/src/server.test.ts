import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpFetch, isShomeiError } from '@shomei/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { startIssuer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'shomei-issuer-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startIssuer', () => {
  it('listens on a port the OS picks, serves metadata at its URL, keeps its key across restarts', async () => {
    const logs: string[] = [];
    const first = await startIssuer({ port: 0, dataDir: dir, secret: 'server secret', log: (l) => logs.push(l) });
    expect(first.url).toBe(`http://127.0.0.1:${first.listening.port}`);
    expect(first.listening.port).toBeGreaterThan(0);
    expect(first.dbFile).toBe(join(dir, 'issuer.db'));
    const res = await httpFetch(`${first.url}/.well-known/openid-credential-issuer`);
    expect(res.status).toBe(200);
    expect(res.json<{ credential_issuer: string }>().credential_issuer).toBe(first.url);
    const kid = first.deps.keys.current.kid;
    await first.close();
    await expect(httpFetch(`${first.url}/.well-known/jwt-vc-issuer`, { timeoutMs: 1000 })).rejects.toThrow(/could not reach/);

    const second = await startIssuer({ port: 0, dataDir: dir, secret: 'server secret', publicUrl: 'https://issuer.example.jp/' });
    expect(second.url).toBe('https://issuer.example.jp');
    const jwks = await httpFetch(`http://127.0.0.1:${second.listening.port}/.well-known/jwt-vc-issuer`);
    expect(jwks.json<{ issuer: string; jwks: { keys: { kid: string }[] } }>()).toMatchObject({
      issuer: 'https://issuer.example.jp',
      jwks: { keys: [{ kid }] },
    });
    await second.close();
  });

  it('refuses a secret that does not open the database', async () => {
    try {
      await startIssuer({ port: 0, dataDir: dir, secret: 'another secret' });
      throw new Error('expected wrong_passphrase');
    } catch (e) {
      expect(isShomeiError(e, 'wrong_passphrase')).toBe(true);
    }
  });
});
