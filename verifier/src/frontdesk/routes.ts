import { isShomeiError, presentationRequestUri, ShomeiError } from '@shomei/shared';
import { type Context, Hono } from 'hono';
import QRCode from 'qrcode';
import { clientForApiKey } from '../clients/api-keys.js';
import type { VerifierContext } from '../context.js';
import { smallBody } from '../http/limits.js';
import { PRESET_NAMES, PRESETS } from '../oid4vp/presets.js';
import { createPresentationRequest, describePresentationRequest, type PresentationRequestView } from '../oid4vp/requests.js';
import type { ClientRow } from '../store/types.js';
import { readFormFields } from './form.js';
import { esc, FRONT_DESK_CSP, page } from './html.js';
import { sameOriginPosts } from './same-origin.js';
import { FrontDeskSessions } from './session.js';

/**
 * The front desk: a server-rendered page where staff sign in with their business's API key,
 * pick a preset, show the QR code (and the URI) to the customer, and see the result arrive
 * (the pending page reloads itself every 2 s). No JavaScript, no build step. Sessions are rows in
 * the database (session.ts); every POST must come from the desk's own pages (same-origin.ts).
 */
export function frontDeskRoutes(ctx: VerifierContext): Hono {
  const app = new Hono();
  const sessions = new FrontDeskSessions(ctx.store, ctx.now, ctx.baseUrl.startsWith('https:'));
  // Scoped to the desk's paths: the sub-app is mounted at '/', and a '*' middleware would also
  // refuse the wallets' cross-site direct_post.
  app.use('/front-desk/*', sameOriginPosts(new URL(ctx.baseUrl).origin));

  const html = (c: Context, body: string, status: 200 | 401 | 404 = 200, headers: Record<string, string> = {}) =>
    c.html(body, status, { 'content-security-policy': FRONT_DESK_CSP, ...headers });

  app.get('/', async (c) => {
    const client = await sessions.client(c);
    if (!client) return html(c, loginPage());
    const recent = await ctx.store.requests.listForClient(client.id, 5);
    return html(
      c,
      presetPage(
        client,
        recent.map((r) => ({ id: r.id, preset: r.preset, status: r.status, created: r.createdAt })),
      ),
    );
  });

  app.post('/front-desk/login', smallBody, async (c) => {
    const form = await readFormFields(c);
    let client: ClientRow;
    try {
      client = await clientForApiKey(ctx.store.clients, (form.api_key ?? '').trim());
    } catch {
      return html(c, loginPage('API キーが正しくありません / The API key is not valid'), 401);
    }
    await sessions.start(c, client);
    return c.redirect('/', 303);
  });

  app.post('/front-desk/logout', smallBody, async (c) => {
    await sessions.end(c);
    return c.redirect('/', 303);
  });

  app.post('/front-desk/requests', smallBody, async (c) => {
    const client = await sessions.client(c);
    if (!client) return c.redirect('/', 303);
    const form = await readFormFields(c);
    const preset = PRESET_NAMES.find((p) => p === form.preset);
    if (!preset) throw new ShomeiError('invalid_request', 'pick one of the presets');
    const created = await createPresentationRequest(ctx, client, { preset });
    return c.redirect(`/front-desk/requests/${encodeURIComponent(created.id)}`, 303);
  });

  app.get('/front-desk/requests/:id', async (c) => {
    const client = await sessions.client(c);
    if (!client) return c.redirect('/', 303);
    let view: Awaited<ReturnType<typeof describePresentationRequest>>;
    try {
      view = await describePresentationRequest(ctx, client, c.req.param('id'));
    } catch (e) {
      // A mistyped, expired-and-purged or another business's link: a page to go back from, not raw JSON.
      if (isShomeiError(e, 'not_found')) return html(c, notFoundPage(), 404);
      throw e;
    }
    if (view.status !== 'pending') return html(c, resultPage(view));
    const row = await ctx.store.requests.get(view.id);
    if (!row) throw new ShomeiError('not_found', 'no such presentation request');
    const uri = presentationRequestUri(ctx.identity.clientId, `${ctx.baseUrl}/oid4vp/requests/${encodeURIComponent(view.id)}`);
    const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return html(c, pendingPage(view, uri, svg), 200, { 'cache-control': 'no-store' });
  });

  return app;
}

function notFoundPage(): string {
  return page(
    'No such request',
    `<p class="status rejected" role="alert">この確認依頼は見つかりません / There is no such request for this business.</p>
<p>The link may be mistyped, or the request was made by another business. <a href="/">新しい確認依頼 / Make a new request</a></p>`,
  );
}

function loginPage(error?: string): string {
  return page(
    'Sign in',
    `${error ? `<p class="status rejected" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/front-desk/login">
  <fieldset><legend>事業者 API キー / Business API key</legend>
    <label>API key <input name="api_key" type="password" autocomplete="off" size="50" required></label>
    <button type="submit">サインイン / Sign in</button>
  </fieldset>
</form>`,
  );
}

function presetPage(client: ClientRow, recent: { id: string; preset: string | null; status: string; created: number }[]): string {
  const options = PRESET_NAMES.map(
    (p, i) =>
      `<label><input type="radio" name="preset" value="${esc(p)}"${i === 0 ? ' checked' : ''}> <b>${esc(p)}</b> — ${esc(PRESETS[p].purpose)}</label>`,
  ).join('\n    ');
  const rows = recent
    .map(
      (r) =>
        `<tr><td><a href="/front-desk/requests/${esc(r.id)}">${esc(new Date(r.created).toISOString())}</a></td><td>${esc(r.preset ?? 'custom')}</td><td>${esc(r.status)}</td></tr>`,
    )
    .join('');
  return page(
    'New check',
    `<div class="muted">${esc(client.name)} <form method="post" action="/front-desk/logout" class="inline"><button type="submit">Sign out</button></form></div>
<form method="post" action="/front-desk/requests">
  <fieldset><legend>確認する内容 / What to check</legend>
    ${options}
    <button type="submit" id="start">QR コードを表示 / Show QR code</button>
  </fieldset>
</form>
${rows ? `<h2>Recent</h2><table><tr><th>created</th><th>preset</th><th>status</th></tr>${rows}</table>` : ''}`,
  );
}

function pendingPage(view: PresentationRequestView, uri: string, svg: string): string {
  return page(
    'Waiting',
    `<p class="status pending" id="status" data-status="pending">お客様のスマートフォンで読み取ってください / Waiting for the customer</p>
<p>${esc(view.purpose)}</p>
<div class="qr">${svg}</div>
<p><a href="${esc(uri)}">Open in a wallet on this device</a></p>
<p class="muted">URI: <code id="request-uri">${esc(uri)}</code></p>
<p class="muted">Expires ${esc(view.expires_at)}. This page refreshes itself.</p>`,
    { refreshSeconds: 2 },
  );
}

function flatten(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

function resultPage(view: PresentationRequestView): string {
  const r = view.result;
  const label =
    view.status === 'accepted'
      ? '確認できました / Verified'
      : view.status === 'rejected'
        ? '確認できません / Not verified'
        : '期限切れ / Expired';
  const claims = r
    ? flatten(r.disclosed)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
        .join('')
    : '';
  const errors = r ? r.errors.map((e) => `<li><code>${esc(e.code)}</code> ${esc(e.message)}</li>`).join('') : '';
  const facts = r?.issuer
    ? `<p class="muted">issuer ${esc(r.issuer)} · ${esc(r.assurance_level ?? '')} · ${r.status === 'none' ? 'no status (not revocable) / 失効確認なし' : `status ${esc(r.status)}`}${r.sandbox ? ' · (sandbox)' : ''}</p>`
    : '';
  return page(
    'Result',
    `<p class="status ${esc(view.status)}" id="status" data-status="${esc(view.status)}">${esc(label)}</p>
${facts}
${claims ? `<table id="claims">${claims}</table>` : ''}
${errors ? `<ul id="errors">${errors}</ul>` : ''}
<p><a href="/">次の確認 / Next check</a></p>`,
  );
}
