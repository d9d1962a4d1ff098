import { describeStorageFailure, type ErrorCode, isShomeiError, type ShomeiError, storageFailure } from '@shomei/shared';
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
  if (code === 'malformed' || code === 'payload_too_large')
    return path === '/credential' ? 'invalid_credential_request' : 'invalid_request';
  return 'server_error';
}

function title(code: ErrorCode): string {
  const words = code.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function problemJson(status: number, code: ErrorCode | string, detail: string, extra: Record<string, unknown> = {}): Response {
  const body = { type: `urn:shomei:error:${code}`, title: title(code as ErrorCode), status, code, detail, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });
}

function oauthJson(status: number, error: string, description: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

function shomeiResponse(c: Context, e: ShomeiError): Response {
  const path = c.req.path;
  if (OAUTH_PATHS.has(path)) {
    const error = oauthCode(e.code, path);
    if (error === 'server_error') return oauthJson(500, error, 'internal error');
    const status = e.code === 'payload_too_large' ? 413 : e.status;
    const headers: Record<string, string> = error === 'invalid_token' ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {};
    return oauthJson(status, error, e.message, headers);
  }
  const res = problemJson(e.status, e.code, e.message, e.details ?? {});
  if (e.status === 401) res.headers.set('www-authenticate', 'Bearer');
  return res;
}

/**
 * The one error handler: ShomeiErrors become problem details (or OAuth errors on the OAuth
 * endpoints); anything else is a 500 that is logged without its message (which could carry
 * request data) and says nothing to the client.
 */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context): Response => {
    if (isShomeiError(err)) {
      if (err.status >= 500) log(`error ${err.code} on ${c.req.method} ${c.req.routePath}`);
      return shomeiResponse(c, err);
    }
    const storage = storageFailure(err);
    if (storage) {
      log(`${describeStorageFailure(storage)} on ${c.req.method} ${c.req.routePath}`);
      const detail = 'the service cannot store data right now; nothing was changed; try again later';
      if (OAUTH_PATHS.has(c.req.path)) return oauthJson(503, 'temporarily_unavailable', detail, { 'retry-after': '60' });
      const res = problemJson(503, 'storage_unavailable', detail);
      res.headers.set('retry-after', '60');
      return res;
    }
    log(`internal error (${err.name}) on ${c.req.method} ${c.req.routePath}`);
    if (OAUTH_PATHS.has(c.req.path)) return oauthJson(500, 'server_error', 'internal error');
    return problemJson(500, 'internal', 'internal error');
  };
}
