import { describeStorageFailure, type ErrorCode, type ShomeiError } from '@shomei/shared';
import { classifyFailure, problemResponse, STORAGE_RETRY_AFTER_SECONDS } from '@shomei/shared/http-server';
import type { Context } from 'hono';
import type { Logger } from '../deps.js';

/** Endpoints whose errors take the OAuth shape `{error, error_description}`. */
const OAUTH_PATHS = new Set(['/token', '/nonce', '/credential']);

/** OAuth error codes that pass through as they are; anything else is mapped per endpoint. */
const OAUTH_CODES = new Set<ErrorCode>([
  'invalid_request',
  'invalid_grant',
  'invalid_proof',
  'invalid_nonce',
  'invalid_token',
  'invalid_credential_request',
  'unknown_credential_configuration',
]);

function oauthCode(code: ErrorCode, path: string): string {
  if (OAUTH_CODES.has(code)) return code;
  if (code === 'storage_unavailable') return 'temporarily_unavailable';
  if (code === 'malformed' || code === 'payload_too_large')
    return path === '/credential' ? 'invalid_credential_request' : 'invalid_request';
  return 'server_error';
}

/**
 * An OAuth error (RFC 6749 §5.2, OpenID4VCI §8.3.1) that keeps Shomei's stable code as data:
 * `shomei_code` and, when the error has them, `details` (e.g. `attempts_left`) are extension
 * members, which RFC 6749 §8.1 lets a client ignore, so a wallet never reads a code out of
 * `error_description`.
 */
export function oauthErrorResponse(path: string, e: ShomeiError): Response {
  const error = oauthCode(e.code, path);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (error === 'server_error') return oauthJson(500, { error, error_description: 'internal error', shomei_code: 'internal' }, headers);
  if (error === 'invalid_token') headers['www-authenticate'] = 'Bearer error="invalid_token"';
  if (error === 'temporarily_unavailable') headers['retry-after'] = String(STORAGE_RETRY_AFTER_SECONDS);
  const body: Record<string, unknown> = { error, error_description: e.message, shomei_code: e.code };
  if (e.details !== undefined) body.details = e.details;
  return oauthJson(e.status, body, headers);
}

function oauthJson(status: number, body: Record<string, unknown>, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The one error handler: errors become problem details (or OAuth errors on the OAuth endpoints);
 * a storage failure is a 503 whose log line names the condition; anything else is a 500 that is
 * logged without its message (which could carry request data) and says nothing to the client.
 */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context): Response => {
    const failure = classifyFailure(err);
    const where = `on ${c.req.method} ${c.req.routePath}`;
    if (failure.kind === 'storage') log(`${describeStorageFailure(failure.storage)} ${where}`);
    else if (failure.kind === 'unexpected') log(`internal error (${failure.cause.name}) ${where}`);
    else if (failure.error.status >= 500) log(`error ${failure.error.code} ${where}`);
    return OAUTH_PATHS.has(c.req.path) ? oauthErrorResponse(c.req.path, failure.error) : problemResponse(failure.error);
  };
}
