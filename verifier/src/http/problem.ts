import { STATUS_CODES } from 'node:http';
import { describeStorageFailure, type ErrorCode, isShomeiError, ShomeiError, storageFailure } from '@shomei/shared';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type Logger, stackFrames } from '../log.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details with Shomei's stable `code`; `detail` never carries secrets or personal values. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  [extra: string]: unknown;
}

export function problemFor(err: ShomeiError): Problem {
  const status = err.status;
  return {
    ...err.details,
    type: `urn:shomei:problem:${err.code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code: err.code,
    detail: err.message,
  };
}

export function problemResponse(c: Context, err: ShomeiError): Response {
  const problem = problemFor(err);
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' };
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer';
  return c.body(JSON.stringify(problem), problem.status as 400, headers);
}

function fromHttpException(e: HTTPException): ShomeiError {
  if (e.status === 413) return new ShomeiError('payload_too_large', 'the request body is too large');
  if (e.status === 401) return new ShomeiError('unauthorized', 'authentication is required');
  if (e.status >= 500) return new ShomeiError('internal', 'internal error');
  return new ShomeiError('invalid_request', 'the request could not be processed');
}

/** The one error mapper: known errors become problems; anything else is a 500 that says nothing. */
export function errorHandler(log: Logger): ErrorHandler {
  return (err, c) => {
    if (isShomeiError(err)) return problemResponse(c, err);
    if (err instanceof HTTPException) return problemResponse(c, fromHttpException(err));
    const storage = storageFailure(err);
    if (storage) {
      log.error(`http: ${describeStorageFailure(storage)} in ${c.req.method} ${c.req.routePath}`);
      return problemResponse(
        c,
        new ShomeiError('storage_unavailable', 'the service cannot store data right now; nothing was changed; try again later'),
      );
    }
    log.error(`http: internal error in ${c.req.method} ${c.req.routePath} (${err.name})\n${stackFrames(err)}`);
    return problemResponse(c, new ShomeiError('internal', 'internal error'));
  };
}
