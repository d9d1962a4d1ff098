import { type ErrorCode, ShomeiError } from '../../errors.js';

/**
 * RFC 9457 problem details, one scheme for both services.
 *
 * - `type` is `urn:shomei:error:<code>`: one URI per stable error code (`PROBLEM_TYPE_PREFIX` + `code`),
 *   so a client can match on either `type` or `code`; the URN names the code, it is not dereferenceable.
 * - `title` is the code in words ("Payload too large"): RFC 9457 §3.1.4 wants the title to describe the
 *   problem type, the same for every occurrence of it.
 * - `status` is the HTTP status that `ERROR_CODES` gives the code; `detail` is the error's message,
 *   written never to carry a secret, a token or a personal value.
 * - A ShomeiError's `details` (e.g. `attempts_left`, `retry_after`) become extension members; they
 *   cannot overwrite the standard members.
 */
export const PROBLEM_TYPE_PREFIX = 'urn:shomei:error:';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A client may retry a `storage_unavailable` answer after this many seconds. */
export const STORAGE_RETRY_AFTER_SECONDS = 60;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  [extension: string]: unknown;
}

/** "payload_too_large" → "Payload too large". */
export function problemTitle(code: ErrorCode): string {
  const words = code.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function problemFor(err: ShomeiError): Problem {
  return {
    ...err.details,
    type: `${PROBLEM_TYPE_PREFIX}${err.code}`,
    title: problemTitle(err.code),
    status: err.status,
    code: err.code,
    detail: err.message,
  };
}

/**
 * The HTTP answer for a ShomeiError: its problem body, never cached, with the challenge a 401
 * needs (RFC 6750 §3) and the wait a storage failure asks for.
 */
export function problemResponse(err: ShomeiError): Response {
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' };
  if (err.status === 401) headers['www-authenticate'] = 'Bearer';
  if (err.code === 'storage_unavailable') headers['retry-after'] = String(STORAGE_RETRY_AFTER_SECONDS);
  return new Response(JSON.stringify(problemFor(err)), { status: err.status, headers });
}

/** Shorthand for answering a code and message directly (a 404 handler, say). */
export function problem(code: ErrorCode, detail: string, details?: Record<string, unknown>): Response {
  return problemResponse(new ShomeiError(code, detail, details === undefined ? undefined : { details }));
}
