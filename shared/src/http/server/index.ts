/**
 * The HTTP toolkit both services share (hono): RFC 9457 problems, what a thrown value means for the
 * client, bearer tokens, and request bodies with per-route limits. A subpath export
 * (`@shomei/shared/http-server`) so that the wallet, which serves nothing, does not load it.
 */
export { bearerToken, parseBearer } from './bearer.js';
export { limitBody, readBodyText, readForm, readJson } from './body.js';
export { classifyFailure, type Failure, STORAGE_UNAVAILABLE_DETAIL } from './failure.js';
export { NOTHING_ALLOWED_CSP, securityHeaders } from './headers.js';
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_PREFIX,
  type Problem,
  problem,
  problemFor,
  problemResponse,
  problemTitle,
  STORAGE_RETRY_AFTER_SECONDS,
} from './problem.js';
