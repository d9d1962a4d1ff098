import { describeStorageFailure } from '@shomei/shared';
import { classifyFailure, problemResponse } from '@shomei/shared/http-server';
import type { ErrorHandler } from 'hono';
import { type Logger, stackFrames } from '../log.js';

/**
 * The one error mapper: every failure becomes an RFC 9457 problem (`@shomei/shared/http-server`);
 * a storage failure and anything unexpected are logged here, without their message.
 */
export function errorHandler(log: Logger): ErrorHandler {
  return (err, c) => {
    const failure = classifyFailure(err);
    if (failure.kind === 'storage') {
      log.error(`http: ${describeStorageFailure(failure.storage)} in ${c.req.method} ${c.req.routePath}`);
    } else if (failure.kind === 'unexpected') {
      log.error(`http: internal error in ${c.req.method} ${c.req.routePath} (${err.name})\n${stackFrames(err)}`);
    }
    return problemResponse(failure.error);
  };
}
