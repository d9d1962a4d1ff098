import { randomBytes } from 'node:crypto';
import { presentationRequestUri, ShomeiError } from '@shomei/shared';
import { type Context, Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import QRCode from 'qrcode';
import { authenticateClient } from '../clients/api-keys.js';
import type { Oid4vpContext } from '../oid4vp/context.js';
import { PRESET_NAMES, PRESETS } from '../oid4vp/presets.js';
import { createPresentationRequest, describePresentationRequest, type PresentationRequestView } from '../oid4vp/requests.js';
import type { ClientRow } from '../store/types.js';
import { esc, page } from './html.js';

const COOKIE = 'shomei_desk';
const SESSION_SECONDS = 8 * 3600;

/**
 * The front desk: a server-rendered page where staff sign in with their business's API key,
 * pick a preset, show the QR code (and the URI) to the customer, and see the result arrive
 * (the pending page reloads itself every 2 s). No JavaScript, no build step. The session is a
 * signed cookie naming the client, keyed by a secret kept sealed in the database (see sessionSecret).
 */
export function frontDeskRoutes(ctx: Oid4vpContext): Hono {
  const app = new Hono();
  const secure = ctx.baseUrl.startsWith('https:');
  let secretP: Promise<string> | undefined;
  const cookieSecret = () => {
    secretP ??= sessionSecret(ctx).catch((e: unknown) => {
      secretP = undefined;
      throw e;
    });
    return secretP;
  };

  async function session(c: Context): Promise<ClientRow | undefined> {
    const value = await getSignedCookie(c, await cookieSecret(), COOKIE);
    if (!value) return undefined;
    const [id, until] = value.split('.');
    if (!id || Number(until) < ctx.now().getTime()) return undefined;
    return ctx.store.clients.get(id);
  }

  app.get('/', async (c) => {
    const client = await session(c);
    if (!client) return c.html(loginPage());
    const recent = await ctx.store.requests.listForClient(client.id, 5);
    return c.html(
      presetPage(
        client,
        recent.map((r) => ({ id: r.id, preset: r.preset, status: r.status, created: r.createdAt })),
      ),
    );
  });

  app.post('/front-desk/login', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.api_key === 'string' ? form.api_key.trim() : '';
    let client: ClientRow;
    try {
      client = await authenticateClient(ctx.store.clients, `Bearer ${key}`);
    } catch {
      return c.html(loginPage('API キーが正しくありません / The API key is not valid'), 401);
    }
    await setSignedCookie(c, COOKIE, `${client.id}.${ctx.now().getTime() + SESSION_SECONDS * 1000}`, await cookieSecret(), {
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      path: '/',
      maxAge: SESSION_SECONDS,
    });
    return c.redirect('/', 303);
  });

  app.post('/front-desk/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  app.post('/front-desk/requests', async (c) => {
    const client = await session(c);
    if (!client) return c.redirect('/', 303);
    const form = await c.req.parseBody();
    const preset = PRESET_NAMES.find((p) => p === form.preset);
    if (!preset) throw new ShomeiError('invalid_request', 'pick one of the presets');
    const created = await createPresentationRequest(ctx, client, { preset });
    return c.redirect(`/front-desk/requests/${encodeURIComponent(created.id)}`, 303);
  });

  app.get('/front-desk/requests/:id', async (c) => {
    const client = await session(c);
    if (!client) return c.redirect('/', 303);
    const view = await describePresentationRequest(ctx, client, c.req.param('id'));
    if (view.status !== 'pending') return c.html(resultPage(view));
    const row = await ctx.store.requests.get(view.id);
    if (!row) throw new ShomeiError('not_found', 'no such presentation request');
    const uri = presentationRequestUri(ctx.identity.clientId, `${ctx.baseUrl}/oid4vp/requests/${encodeURIComponent(view.id)}`);
    const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return c.html(pendingPage(view, uri, svg), 200, { 'cache-control': 'no-store' });
  });

  return app;
}

const SESSION_SECRET = 'front-desk-session-secret';

/**
 * The key that signs session cookies: random on the first start, sealed under the vault key in
 * the database, so sessions survive restarts and every instance sharing the database accepts them.
 */
async function sessionSecret(ctx: Oid4vpContext): Promise<string> {
  const sealed = await ctx.store.settings.putIfAbsent(
    SESSION_SECRET,
    ctx.sealer.seal(randomBytes(32).toString('base64url'), SESSION_SECRET),
  );
  return ctx.sealer.unseal(sealed, SESSION_SECRET);
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
    `<div class="muted">${esc(client.name)} <form method="post" action="/front-desk/logout" style="display:inline"><button type="submit">Sign out</button></form></div>
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
