import { hash } from 'node:crypto';

const STYLE = `
body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
img{max-width:22em;max-height:16em;margin:4px;border:1px solid #999}.err{color:#b00}pre{background:#f4f4f4;padding:8px}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const api = async (path, opts = {}) => {
  const res = await fetch(path, { ...opts, headers: { authorization: 'Bearer ' + $('token').value, ...(opts.headers || {}) } });
  if (!res.ok) { let p = {}; try { p = await res.json(); } catch {} throw new Error((p.code || res.status) + ': ' + (p.detail || '')); }
  return res;
};
const text = (tag, value) => { const e = document.createElement(tag); e.textContent = value; return e; };
async function load() {
  $('msg').textContent = '';
  try {
    const { applications } = await (await api('/v1/admin/applications?state=pending_review')).json();
    const body = $('queue').tBodies[0]; body.replaceChildren();
    for (const a of applications) {
      const tr = document.createElement('tr');
      tr.append(text('td', a.id), text('td', a.method), text('td', a.created_at));
      const td = document.createElement('td'); const b = text('button', 'review'); b.onclick = () => show(a.id); td.append(b); tr.append(td);
      body.append(tr);
    }
    if (!applications.length) $('detail').replaceChildren(text('p', 'The queue is empty.'));
  } catch (e) { $('msg').textContent = e.message; }
}
async function show(id) {
  const a = await (await api('/v1/admin/applications/' + id)).json();
  const d = $('detail'); d.replaceChildren(text('h2', 'Application ' + a.id));
  d.append(text('pre', JSON.stringify(a.identity, null, 2)));
  for (const f of a.files) {
    if (!f.available) continue;
    const blob = await (await api('/v1/admin/applications/' + id + '/files/' + f.kind)).blob();
    const img = document.createElement('img'); img.alt = f.kind; img.src = URL.createObjectURL(blob); d.append(img);
  }
  const corr = document.createElement('textarea'); corr.rows = 4; corr.cols = 60; corr.placeholder = 'corrections as JSON, e.g. {"birthdate":"1991-08-15"}';
  const reason = document.createElement('input'); reason.size = 60; reason.placeholder = 'reason for rejection';
  const approve = text('button', 'Approve (IAL2)'); const reject = text('button', 'Reject');
  const decide = async (body) => {
    try { await api('/v1/admin/applications/' + id + '/decision', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }); d.replaceChildren(text('p', 'Decided.')); load(); }
    catch (e) { $('msg').textContent = e.message; }
  };
  approve.onclick = () => { let c; try { c = corr.value.trim() ? JSON.parse(corr.value) : undefined; } catch { $('msg').textContent = 'corrections are not JSON'; return; } decide({ decision: 'approve', ...(c ? { corrections: c } : {}) }); };
  reject.onclick = () => decide({ decision: 'reject', reason: reason.value });
  d.append(document.createElement('br'), corr, document.createElement('br'), approve, document.createElement('br'), reason, reject);
}
$('load').onclick = load;
`;

const sha256 = (text: string) => `'sha256-${hash('sha256', text, 'base64')}'`;

/**
 * The operator page's Content-Security-Policy (issue 14, item 5): its one script and one stylesheet
 * by hash (no 'unsafe-inline'), images only from blob: URLs the script makes from the admin API's
 * answers, fetches only to this origin, no form (the page posts nothing itself), never framed.
 */
export const OPERATOR_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  'img-src blob:',
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The operator page: the review queue in a browser. It holds no secret; the operator pastes a
 * `review` token, which stays in the page's memory and goes only to this issuer's admin API.
 */
export const OPERATOR_PAGE = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Shomei issuer — review queue</title>
<style>${STYLE}</style></head><body>
<h1>審査キュー / Review queue</h1>
<p><label>Admin token (scope <code>review</code>): <input id="token" type="password" size="50" autocomplete="off"></label>
<button id="load">Load</button> <span id="msg" class="err"></span></p>
<table id="queue"><thead><tr><th>application</th><th>method</th><th>created</th><th></th></tr></thead><tbody></tbody></table>
<div id="detail"></div>
<script>${SCRIPT}</script></body></html>
`;
