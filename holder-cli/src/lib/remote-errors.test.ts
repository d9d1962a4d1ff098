import type { FetchResult } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { hintFor } from '../errors.js';
import { oauthFailure, requestObjectFailure } from './remote-errors.js';

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

describe('OAuth error codes in plain words', () => {
  it('says what went wrong first and puts the code last; an unknown code reads as a refusal', () => {
    const proof = oauthFailure(
      answer(400, { error: 'invalid_proof', error_description: 'the proof is signed by another key' }),
      'the issuer',
    );
    expect(proof.message).toBe(
      "the issuer did not accept the proof of the wallet's key: the proof is signed by another key (invalid_proof)",
    );
    expect(oauthFailure(answer(400, { error: 'strange_code' }), 'the issuer').message).toBe(
      'the issuer refused the request (strange_code)',
    );
  });
});

describe('a verifier that will not hand over its request object', () => {
  it("keeps the verifier's code and reason, so that the hint applies", () => {
    const e = requestObjectFailure(answer(400, { code: 'expired', detail: 'the presentation request has expired' }));
    expect(e.code).toBe('expired');
    expect(e.message).toBe('the verifier did not hand over the request (HTTP 400, expired): the presentation request has expired');
    expect(hintFor(e)).toBe('ask the verifier for a new request');
  });

  it('is request_invalid for a 4xx without a known code, upstream_unavailable for a 5xx, and cleans the text', () => {
    const odd = requestObjectFailure(answer(404, { code: 'no\u001b[2Jthing', detail: 'gone\u0007' }));
    expect(odd.code).toBe('request_invalid');
    expect([...odd.message].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(requestObjectFailure({ status: 502, headers: new Headers(), body: '<html>', json: () => ({}) as never }).code).toBe(
      'upstream_unavailable',
    );
  });
});
