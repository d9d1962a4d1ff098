import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';

let h: Harness;
afterEach(() => h.close());

describe('error handling', () => {
  it('turns an unexpected error into a 500 that says nothing, logged without its message', async () => {
    h = await createHarness();
    // A closed database makes every store call throw a plain (non-Shomei) error.
    h.db.close();
    const oauth = await h.app.request('/nonce', { method: 'POST' });
    expect(oauth.status).toBe(500);
    expect(await oauth.json()).toEqual({ error: 'server_error', error_description: 'internal error', shomei_code: 'internal' });
    const problem = await h.app.request('/status-lists/1');
    expect(problem.status).toBe(500);
    expect(problem.headers.get('content-type')).toBe('application/problem+json');
    expect(await problem.json()).toEqual({
      type: 'urn:shomei:error:internal',
      title: 'Internal',
      status: 500,
      code: 'internal',
      detail: 'internal error',
    });
    expect(h.logs).toEqual(['internal error (TypeError) on POST /nonce', 'internal error (TypeError) on GET /status-lists/:id']);
  });

  it('gives OAuth endpoints the OAuth shape for oversized bodies', async () => {
    h = await createHarness();
    const res = await h.app.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `pre-authorized_code=${'x'.repeat(70_000)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', shomei_code: 'payload_too_large' });
  });
});
