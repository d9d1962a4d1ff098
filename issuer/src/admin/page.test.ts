import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NOTHING_ALLOWED_CSP } from '../http/app.js';
import { useHarness } from '../testing/harness.js';
import { OPERATOR_PAGE_CSP } from './page.js';

// The operator page's Content-Security-Policy through app.request() (issue 14, item 5); the browser
// test (operator-page.test.ts) shows the page works under it with no violation.
const h = useHarness('all');

const inlineHash = (html: string, tag: 'script' | 'style') =>
  `'sha256-${hash('sha256', new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] as string, 'base64')}'`;

describe('operator page CSP', () => {
  it("allows exactly the page's own script and stylesheet by hash, blob: images and same-origin fetches; never unsafe-inline", async () => {
    const res = await h.app.request('/operator');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') as string;
    expect(csp).toBe(OPERATOR_PAGE_CSP);
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `script-src ${inlineHash(html, 'script')}`,
      `style-src ${inlineHash(html, 'style')}`,
      'img-src blob:',
      "connect-src 'self'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]);
    expect(csp).not.toContain('unsafe');
    // One script and one stylesheet: a second inline one, an inline handler or a style attribute would be blocked.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
    expect(html).not.toMatch(/ on[a-z]+=|style="|<form/);
  });

  it('sends the nothing-allowed policy on every other response, errors included', async () => {
    for (const path of ['/no-such-page', '/.well-known/openid-credential-issuer', '/v1/admin/applications']) {
      expect((await h.app.request(path)).headers.get('content-security-policy'), path).toBe(NOTHING_ALLOWED_CSP);
    }
  });
});
