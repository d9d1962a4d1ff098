/**
 * `Authorization: Bearer <token>` (RFC 6750 §2.1): the scheme case-insensitive, one or more spaces,
 * a b64token (`A-Z a-z 0-9 - . _ ~ + /`, then `=` padding), trailing whitespace tolerated.
 * Anything else (another scheme, a token with spaces or other characters) is no token at all.
 */
const BEARER = /^\s*Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i;

/** The token of an Authorization header value, if it is a well-formed Bearer credential. */
export function parseBearer(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return BEARER.exec(authorization)?.[1];
}

/** The bearer token a request carries (given its hono Context), if any. */
export function bearerToken(c: { req: { header(name: string): string | undefined } }): string | undefined {
  return parseBearer(c.req.header('authorization'));
}
