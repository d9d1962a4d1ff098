import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ShomeiError } from '../../errors.js';
import { parseBearer } from './bearer.js';
import { limitBody, readJson } from './body.js';
import { classifyFailure } from './failure.js';
import { problemResponse } from './problem.js';

describe('problem responses (RFC 9457)', () => {
  it('one scheme: urn:shomei:error:<code>, the code in words as title, details that cannot override', async () => {
    const res = problemResponse(new ShomeiError('rate_limited', 'slow down', { details: { retry_after: 3, status: 200 } }));
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      type: 'urn:shomei:error:rate_limited',
      title: 'Rate limited',
      status: 429,
      code: 'rate_limited',
      detail: 'slow down',
      retry_after: 3,
    });
    expect(problemResponse(new ShomeiError('unauthorized', 'x')).headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a storage failure is a 503 that asks to retry; anything unknown a 500 that says nothing', async () => {
    const storage = classifyFailure(Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' }));
    expect(storage).toMatchObject({ kind: 'storage', storage: { kind: 'disk_full' } });
    const res = problemResponse(storage.error);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    const unknown = classifyFailure(new TypeError('secret-ish text'));
    expect(unknown.kind).toBe('unexpected');
    expect(unknown.error.message).toBe('internal error');
  });
});

describe('bearer tokens (RFC 6750)', () => {
  it('takes a b64token after the Bearer scheme, and nothing else', () => {
    expect(parseBearer('Bearer abc.DEF_-~+/==')).toBe('abc.DEF_-~+/==');
    expect(parseBearer('bearer   tok  ')).toBe('tok');
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearer a!b', 'Bearertok']) {
      expect(parseBearer(h), String(h)).toBeUndefined();
    }
  });
});

describe('request bodies with per-route limits', () => {
  const app = new Hono();
  app.onError((err) => problemResponse(classifyFailure(err).error));
  app.post('/small', limitBody(10), async (c) => c.json(await readJson(c)));
  app.post('/fast', async (c) => c.json(await readJson(c, { maxBytes: 10 })));
  const post = (path: string, body: string) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('refuses a body over the route limit with 413 payload_too_large, declared or read', async () => {
    for (const path of ['/small', '/fast']) {
      expect((await post(path, '[1]')).status, path).toBe(200);
      const big = await post(path, JSON.stringify('x'.repeat(20)));
      expect(big.status, path).toBe(413);
      expect(await big.json(), path).toMatchObject({ code: 'payload_too_large' });
    }
  });

  it('names a wrong content type or broken JSON without echoing the body', async () => {
    const wrong = await app.request('/small', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(await wrong.json()).toMatchObject({ code: 'invalid_request', detail: 'the request body must be application/json' });
    expect(await (await post('/small', '{nope')).json()).toMatchObject({ detail: 'the request body is not valid JSON' });
  });
});
