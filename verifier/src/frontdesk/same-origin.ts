import { ShomeiError } from '@shomei/shared';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * Refuses a state-changing request (anything but GET/HEAD/OPTIONS) unless the browser says it comes
 * from this site's own pages: login CSRF (issue 14, item 2). `SameSite=Strict` only governs sending
 * a cookie, never setting one, so a cross-site form could otherwise sign a desk into another account.
 *
 * - `Sec-Fetch-Site` present: only `same-origin` passes (browsers set it; a page cannot forge it).
 * - else `Origin` present: it must be the public origin (the browser's view behind a TLS proxy) or the
 *   origin the request was addressed to. `Origin: null` (sandboxed frames, privacy redirects) fails.
 * - neither: refused. Every browser the desk supports sends at least `Origin` on a form POST, so such a
 *   request is a script or a browser/proxy that strips both; scripts have the API, and a stripped
 *   browser request cannot be told apart from a forged one. Unlike hono's `csrf()`, this covers every
 *   content type and answers with the project's `cross_site_request` problem instead of a bare 403.
 */
export function sameOriginPosts(publicOrigin: string): MiddlewareHandler {
  return async (c, next) => {
    if (/^(GET|HEAD|OPTIONS)$/.test(c.req.method) || isSameOrigin(c, publicOrigin)) return next();
    throw new ShomeiError(
      'cross_site_request',
      'this form must be sent from the front-desk page itself (the request came from another site)',
    );
  };
}

function isSameOrigin(c: Context, publicOrigin: string): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  return origin === publicOrigin || origin === new URL(c.req.url).origin;
}
