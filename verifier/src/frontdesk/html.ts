import { hash } from 'node:crypto';

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The one stylesheet of every front-desk page; its hash is what the CSP allows (no style attributes anywhere). */
const STYLE = `
  body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #1a1a1a; }
  h1 { font-size: 1.4rem; } .muted { color: #666; font-size: .9rem; } .inline { display: inline; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; padding: 1rem; }
  label { display: block; margin: .3rem 0; } button { font-size: 1rem; padding: .5rem 1.2rem; margin-top: .8rem; }
  .qr svg { width: 16rem; height: 16rem; } code { word-break: break-all; font-size: .8rem; }
  .status { font-size: 1.3rem; font-weight: bold; padding: .6rem 1rem; border-radius: 6px; display: inline-block; }
  .accepted { background: #e3f6e3; color: #145214; } .rejected, .expired { background: #fde8e8; color: #8a1414; } .pending { background: #eef; color: #223; }
  table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: .3rem .8rem; text-align: left; }
`;

/**
 * The Content-Security-Policy of every front-desk page (issue 14, item 5). The pages run no script
 * and load nothing: one inline stylesheet (allowed by its hash), the QR code as inline SVG markup
 * (needs no img-src), forms posting to this origin only. The pending page reloads itself with
 * `<meta http-equiv="refresh">`, which CSP does not govern.
 */
export const FRONT_DESK_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${hash('sha256', STYLE, 'base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function page(title: string, body: string, options: { refreshSeconds?: number } = {}): string {
  const refresh = options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<title>${esc(title)} — Shomei 受付</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Shomei 受付 / Front desk</h1>
${body}
</body>
</html>`;
}
