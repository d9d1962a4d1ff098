import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** The content security policy that allows nothing: what a JSON answer (or a page that forgot one) gets. */
export const NOTHING_ALLOWED_CSP = "default-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * hono's secure headers (nosniff, frame and referrer policies, no x-powered-by), then, on the way
 * out, the policy that allows nothing on every response that set no policy of its own: pages set
 * theirs (the issuer's operator page, the verifier's front desk); JSON, or an HTML page added later
 * without one, gets this one (issue 14, item 5).
 */
export function securityHeaders(): MiddlewareHandler[] {
  return [
    secureHeaders(),
    async (c, next) => {
      await next();
      if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', NOTHING_ALLOWED_CSP);
    },
  ];
}
