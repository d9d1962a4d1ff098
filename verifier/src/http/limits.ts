import { limitBody } from '@shomei/shared/http-server';
import type { MiddlewareHandler } from 'hono';

/** A wallet's direct_post response (and a presentation sent to /v1/verify) may hold this much. */
export const RESPONSE_BODY_LIMIT = 512 * 1024;
/** Every other body (business API JSON, front-desk forms) stays small. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** Declared on each route that takes a small body. */
export const smallBody: MiddlewareHandler = limitBody(DEFAULT_BODY_LIMIT);
/** Declared on the OpenID4VP response endpoint. */
export const responseBody: MiddlewareHandler = limitBody(RESPONSE_BODY_LIMIT);
