import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpFetch, isShomeiError, parsePresentationRequestUri } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { createClient } from './clients/api-keys.js';
import { silentLogger } from './log.js';
import { startVerifier } from './serve.js';
import { openSqliteVerifierStore } from './store/sql-store.js';

describe('startVerifier', () => {
  it('listens on an OS-picked port, derives its DID from the URL, keeps its key across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'verifier-'));
    const trustFile = join(dataDir, 'trust.json');
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ iss: 'http://127.0.0.1:9', discover: true }] }));
    const first = await startVerifier({ host: '127.0.0.1', port: 0, dataDir, trustFile, secret: 'first secret', log: silentLogger });
    let firstKey: unknown;
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.publicUrl).toBe(first.url);
      expect(first.clientId).toBe(`decentralized_identifier:did:web:127.0.0.1%3A${new URL(first.url).port}`);
      const doc = (await httpFetch(`${first.url}/.well-known/did.json`)).json<{ verificationMethod: { publicKeyJwk: unknown }[] }>();
      firstKey = doc.verificationMethod[0]?.publicKeyJwk;
      expect(first.trust.issuers()).toEqual([
        { iss: 'http://127.0.0.1:9', pinnedKeys: 0, discover: true, vcts: ['urn:shomei:vct:jp-identity:1'], maxAssurance: 'IAL3' },
      ]);
    } finally {
      await first.close();
    }

    const store = openSqliteVerifierStore(join(dataDir, 'verifier.db'));
    const { apiKey } = await createClient(store.clients, 'Shop', new Date());
    store.close();

    const second = await startVerifier({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      publicUrl: 'https://verify.example.jp/',
      secret: 'first secret',
      log: silentLogger,
    });
    try {
      expect(second.clientId).toBe('decentralized_identifier:did:web:verify.example.jp');
      const doc = (await httpFetch(`${second.url}/.well-known/did.json`)).json<{ verificationMethod: { publicKeyJwk: unknown }[] }>();
      expect(doc.verificationMethod[0]?.publicKeyJwk).toEqual(firstKey);
      const res = await httpFetch(`${second.url}/v1/presentation-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ preset: 'age_over_20' }),
      });
      expect(res.status).toBe(201);
      const { requestUri } = parsePresentationRequestUri(res.json<{ request_uri: string }>().request_uri);
      expect(requestUri.startsWith('https://verify.example.jp/oid4vp/requests/')).toBe(true);
    } finally {
      await second.close();
    }

    await expect(startVerifier({ host: '127.0.0.1', port: 0, dataDir, secret: 'wrong', log: silentLogger })).rejects.toSatisfy((e) =>
      isShomeiError(e, 'wrong_passphrase'),
    );
  });

  it('reloads the trust file when it changes, without a restart; a broken file keeps the old one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'verifier-'));
    const trustFile = join(dataDir, 'trust.json');
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ iss: 'http://127.0.0.1:9' }] }));
    const running = await startVerifier({ host: '127.0.0.1', port: 0, dataDir, trustFile, secret: 's', log: silentLogger });
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
      return ok();
    };
    try {
      running.startBackgroundRefresh(3600_000);
      expect(running.trust.issuers().map((i) => i.iss)).toEqual(['http://127.0.0.1:9']);
      writeFileSync(
        trustFile,
        JSON.stringify({
          issuers: [{ iss: 'http://127.0.0.1:9' }, { iss: 'http://127.0.0.1:10', max_assurance: 'IAL1' }],
          status: { stale: 'accept' },
        }),
      );
      expect(await until(() => running.trust.issuers().length === 2)).toBe(true);
      expect(running.trustService.settings().staleStatus).toBe('accept');
      // replaced by rename, as deploy tools do
      writeFileSync(`${trustFile}.new`, JSON.stringify({ issuers: [{ iss: 'http://127.0.0.1:11' }] }));
      renameSync(`${trustFile}.new`, trustFile);
      expect(await until(() => running.trust.issuers()[0]?.iss === 'http://127.0.0.1:11')).toBe(true);
      writeFileSync(trustFile, '{"issuers": [ broken');
      await new Promise((r) => setTimeout(r, 400));
      expect(running.trust.issuers().map((i) => i.iss)).toEqual(['http://127.0.0.1:11']);
    } finally {
      await running.close();
    }
  });
});
