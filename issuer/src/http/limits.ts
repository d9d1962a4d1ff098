import { limitBody } from '@shomei/shared/http-server';
import type { MiddlewareHandler } from 'hono';

/** The most any JSON or form body the issuer takes may hold. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Declared on each route that takes a small body (JSON, forms). */
export const smallBody: MiddlewareHandler = limitBody(MAX_BODY_BYTES);

/** Document uploads carry two images of up to `maxUploadBytes` each, plus the form around them. */
export function uploadBody(maxUploadBytes: number): MiddlewareHandler {
  return limitBody(2 * maxUploadBytes + MAX_BODY_BYTES);
}
