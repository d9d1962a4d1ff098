import type { FetchResult } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { hintFor } from '../errors.js';
import { oauthFailure } from './remote-errors.js';

const answer = (status: number, body: unknown): FetchResult => {
  const text = JSON.stringify(body);
  return { status, headers: new Headers(), body: text, json: <T>() => JSON.parse(text) as T };
};

describe('OAuth errors from the issuer', () => {
  it("takes a Shomei issuer's stable code and details as data, not from the description", () => {
    const e = oauthFailure(
      answer(400, {
        error: 'invalid_grant',
        error_description: 'the code is no good',
        shomei_code: 'invalid_grant',
        details: { attempts_left: 2 },
      }),
      'the issuer',
    );
    expect(e.code).toBe('invalid_grant');
    expect(e.details).toMatchObject({ attempts_left: 2, status: 400, error: 'invalid_grant' });
    // The hint follows the data even though the description says nothing about attempts.
    expect(hintFor(e)).toBe('check the transaction code the issuer sent you and try again');
  });

  it('keeps a code the OAuth error does not have (payload_too_large behind invalid_request)', () => {
    const e = oauthFailure(answer(413, { error: 'invalid_request', error_description: 'too big', shomei_code: 'payload_too_large' }), 'x');
    expect(e.code).toBe('payload_too_large');
  });

  it('falls back to the OAuth error for other issuers, ignores malformed extensions, and calls a 5xx unavailable', () => {
    expect(oauthFailure(answer(400, { error: 'invalid_grant' }), 'x').code).toBe('invalid_grant');
    expect(oauthFailure(answer(400, { error: 'invalid_grant', shomei_code: 7, details: 'no' }), 'x').code).toBe('invalid_grant');
    expect(oauthFailure(answer(400, { error: 'access_denied', shomei_code: 'not_a_code' }), 'x').code).toBe('upstream_unavailable');
    expect(oauthFailure(answer(500, { error: 'server_error', shomei_code: 'internal' }), 'x').code).toBe('upstream_unavailable');
    expect(oauthFailure(answer(503, { error: 'temporarily_unavailable', shomei_code: 'storage_unavailable' }), 'x').code).toBe(
      'upstream_unavailable',
    );
  });
});
