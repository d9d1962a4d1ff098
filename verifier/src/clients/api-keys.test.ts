import { isShomeiError } from '@shomei/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteVerifierStore } from '../store/sql-store.js';
import { authenticateClient, createClient, revokeClient, rotateApiKey } from './api-keys.js';

describe('business API keys', () => {
  const store = openSqliteVerifierStore(':memory:');
  afterAll(() => store.close());

  it('issues a 256-bit shv_ key once and stores only its hash', async () => {
    const { client, apiKey } = await createClient(store.clients, '  Shop  ', new Date());
    expect(apiKey).toMatch(/^shv_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(apiKey.slice(4), 'base64url')).toHaveLength(32);
    expect(client.name).toBe('Shop');
    const stored = JSON.stringify(store.db.prepare('SELECT * FROM clients').all());
    expect(stored).not.toContain(apiKey.slice(4));
    expect((await authenticateClient(store.clients, `Bearer ${apiKey}`)).id).toBe(client.id);
  });

  it('refuses a missing, malformed or unknown key with unauthorized', async () => {
    const { apiKey } = await createClient(store.clients, 'Shop 2', new Date());
    for (const header of [undefined, '', 'Basic abc', apiKey, `Bearer ${apiKey}x`, `Bearer shv_${'A'.repeat(43)}`]) {
      await expect(authenticateClient(store.clients, header)).rejects.toSatisfy((e) => isShomeiError(e, 'unauthorized'));
    }
  });

  it('refuses an empty or control-character name', async () => {
    for (const name of ['', '   ', 'a\nb', 'x'.repeat(201)]) {
      await expect(createClient(store.clients, name, new Date())).rejects.toSatisfy((e) => isShomeiError(e, 'invalid_request'));
    }
  });

  it('rotates to a new key (old refused, new accepted) and refuses to rotate a revoked or unknown client', async () => {
    const { client, apiKey } = await createClient(store.clients, 'Shop 3', new Date());
    const rotated = await rotateApiKey(store, client.id, new Date());
    expect(rotated.apiKey).toMatch(/^shv_[A-Za-z0-9_-]{43}$/);
    await expect(authenticateClient(store.clients, `Bearer ${apiKey}`)).rejects.toSatisfy((e) => isShomeiError(e, 'unauthorized'));
    expect((await authenticateClient(store.clients, `Bearer ${rotated.apiKey}`)).id).toBe(client.id);
    expect(JSON.stringify(store.db.prepare('SELECT * FROM clients').all())).not.toContain(rotated.apiKey.slice(4));

    const revoked = await revokeClient(store, client.id, new Date());
    expect(revoked.alreadyRevoked).toBe(false);
    await expect(authenticateClient(store.clients, `Bearer ${rotated.apiKey}`)).rejects.toSatisfy((e) => isShomeiError(e, 'unauthorized'));
    await expect(rotateApiKey(store, client.id, new Date())).rejects.toSatisfy((e) => isShomeiError(e, 'conflict'));
    await expect(rotateApiKey(store, 'nope', new Date())).rejects.toSatisfy((e) => isShomeiError(e, 'not_found'));
    await expect(revokeClient(store, 'nope', new Date())).rejects.toSatisfy((e) => isShomeiError(e, 'not_found'));
  });
});
