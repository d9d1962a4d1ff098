import { randomBytes } from 'node:crypto';
import {
  b64uJson,
  buildDidDocument,
  DID_CLIENT_ID_PREFIX,
  didWebForOrigin,
  generateEs256KeyPair,
  IDENTITY_VCT,
  type KeyPair,
  presentationRequestUri,
  REQUEST_OBJECT_TYP,
  signJws,
} from '@shomei/shared';
import { Hono } from 'hono';
import { NOW, startServer } from './fixtures.js';

/** A claim to ask for: a path (required) or `{path, optional: true}` (contract 2, DCQL claim_sets). */
export type AskedClaim = string[] | { path: string[]; optional?: boolean };

export interface PublishOptions {
  claims?: AskedClaim[];
  payload?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with another key than the one in the DID document (e.g. a certificate's). */
  signWith?: Pick<KeyPair, 'privateKey'>;
  /** The client_id put in the openid4vp:// URI (default: the signed one). */
  uriClientId?: string;
  /** `request_uri_method=post` (OpenID4VP 1.0 §5.10): the object is made when the wallet POSTs, echoing its wallet_nonce unless told not to. */
  requestUriMethod?: 'post';
  echoWalletNonce?: boolean;
  /** The request object in the URI itself (`request=`), not by reference. */
  byValue?: boolean;
  /** An unsecured request object (`alg: none`, empty signature). */
  unsigned?: boolean;
  /** Another origin for the response_uri, e.g. `http://localhost:<port>` for a certificate naming localhost. */
  responseOrigin?: string;
}

export interface Published {
  uri: string;
  /** The request object's own https (here loopback http) URI, without the openid4vp:// wrapper. */
  requestUri: string;
  id: string;
  nonce: string;
  state: string;
}

/**
 * A stand-in verifier for the wallet's tests: a did:web DID document, signed request objects by
 * reference, and a direct_post endpoint that records what the wallet sends.
 */
export async function startFakeVerifier(options: { now?: () => Date } = {}) {
  const now = options.now ?? (() => NOW);
  const key = { ...generateEs256KeyPair(), kid: 'verifier-key-1' };
  const requests = new Map<string, (form: URLSearchParams | null) => string>();
  const received: { id: string; form: URLSearchParams }[] = [];
  /** What wallets POSTed to request URIs (request_uri_method=post). */
  const requestPosts: { id: string; form: URLSearchParams }[] = [];
  let did = '';
  const app = new Hono();
  app.get('/.well-known/did.json', (c) => c.json(buildDidDocument(did, [{ ...key.publicJwk, kid: key.kid, alg: 'ES256', use: 'sig' }])));
  app.get('/requests/:id', (c) => {
    const make = requests.get(c.req.param('id'));
    if (!make) return c.json({ code: 'not_found' }, 404);
    return c.body(make(null), 200, { 'content-type': 'application/oauth-authz-req+jwt' });
  });
  app.post('/requests/:id', async (c) => {
    const make = requests.get(c.req.param('id'));
    if (!make) return c.json({ code: 'not_found' }, 404);
    const form = new URLSearchParams(await c.req.text());
    requestPosts.push({ id: c.req.param('id'), form });
    return c.body(make(form), 200, { 'content-type': 'application/oauth-authz-req+jwt' });
  });
  app.post('/responses/:id', async (c) => {
    const id = c.req.param('id');
    if (received.some((r) => r.id === id)) {
      return c.json(
        { type: 'about:blank', title: 'Conflict', status: 409, code: 'replay', detail: 'this request was already answered' },
        409,
      );
    }
    const form = new URLSearchParams(await c.req.text());
    received.push({ id, form });
    return c.json({ status: form.has('vp_token') ? 'accepted' : 'rejected', errors: [] });
  });
  const server = await startServer(app);
  did = didWebForOrigin(server.origin);
  const clientId = `${DID_CLIENT_ID_PREFIX}${did}`;

  const publish = (opts: PublishOptions = {}): Published => {
    const id = randomBytes(6).toString('hex');
    const nonce = randomBytes(16).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const iat = Math.floor(now().getTime() / 1000);
    const payload = {
      client_id: clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${opts.responseOrigin ?? server.origin}/responses/${id}`,
      nonce,
      state,
      dcql_query: {
        credentials: [
          {
            id: 'identity',
            format: 'dc+sd-jwt',
            meta: { vct_values: [IDENTITY_VCT] },
            ...dcqlClaims(opts.claims ?? [['age_equal_or_over', '20']]),
          },
        ],
      },
      client_metadata: {
        client_name: 'Demo Shop',
        vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
      },
      purpose: '年齢確認のため',
      iss: clientId,
      aud: 'https://self-issued.me/v2',
      iat,
      exp: iat + 300,
      ...opts.payload,
    };
    const header = { typ: REQUEST_OBJECT_TYP, alg: 'ES256', kid: `${did}#${key.kid}`, ...opts.header };
    const make = (form: URLSearchParams | null) => {
      const walletNonce = form?.get('wallet_nonce');
      const body = walletNonce && opts.echoWalletNonce !== false ? { ...payload, wallet_nonce: walletNonce } : payload;
      if (opts.unsigned) return `${b64uJson({ ...header, alg: 'none' })}.${b64uJson(body)}.`;
      return signJws(header, body, (opts.signWith ?? key).privateKey);
    };
    requests.set(id, make);
    const requestUri = `${server.origin}/requests/${id}`;
    const uriClientId = opts.uriClientId ?? String(payload.client_id);
    let uri = presentationRequestUri(uriClientId, requestUri);
    if (opts.requestUriMethod) uri += '&request_uri_method=post';
    if (opts.byValue) uri = `openid4vp://?${new URLSearchParams({ client_id: uriClientId, request: make(null) })}`;
    return { uri, requestUri, id, nonce, state };
  };

  return { origin: server.origin, did, clientId, key, publish, received, requestPosts, close: server.close };
}

/** Claims with ids `c0`, `c1`, …; with optional ones, `claim_sets: [[all…], [required…]]` (contract 2). */
function dcqlClaims(asked: AskedClaim[]): { claims: { id: string; path: string[] }[]; claim_sets?: string[][] } {
  const claims = asked.map((a, i) => ({ id: `c${i}`, path: Array.isArray(a) ? a : a.path }));
  const optional = asked.map((a) => !Array.isArray(a) && a.optional === true);
  if (!optional.includes(true)) return { claims };
  return { claims, claim_sets: [claims.map((c) => c.id), claims.filter((_, i) => !optional[i]).map((c) => c.id)] };
}
