import { randomBytes } from 'node:crypto';
import {
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

export interface PublishOptions {
  claims?: string[][];
  payload?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with another key than the one in the DID document. */
  signWith?: KeyPair;
  /** The client_id put in the openid4vp:// URI (default: the signed one). */
  uriClientId?: string;
}

export interface Published {
  uri: string;
  id: string;
  nonce: string;
  state: string;
}

/**
 * A stand-in verifier for the wallet's tests: a did:web DID document, signed request objects by
 * reference, and a direct_post endpoint that records what the wallet sends.
 */
export async function startFakeVerifier() {
  const key = { ...generateEs256KeyPair(), kid: 'verifier-key-1' };
  const requests = new Map<string, string>();
  const received: { id: string; form: URLSearchParams }[] = [];
  let did = '';
  const app = new Hono();
  app.get('/.well-known/did.json', (c) => c.json(buildDidDocument(did, [{ ...key.publicJwk, kid: key.kid, alg: 'ES256', use: 'sig' }])));
  app.get('/requests/:id', (c) => {
    const jws = requests.get(c.req.param('id'));
    if (!jws) return c.json({ code: 'not_found' }, 404);
    return c.body(jws, 200, { 'content-type': 'application/oauth-authz-req+jwt' });
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

  const publish = (options: PublishOptions = {}): Published => {
    const id = randomBytes(6).toString('hex');
    const nonce = randomBytes(16).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const iat = Math.floor(NOW.getTime() / 1000);
    const payload = {
      client_id: clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${server.origin}/responses/${id}`,
      nonce,
      state,
      dcql_query: {
        credentials: [
          {
            id: 'identity',
            format: 'dc+sd-jwt',
            meta: { vct_values: [IDENTITY_VCT] },
            claims: (options.claims ?? [['age_equal_or_over', '20']]).map((path) => ({ path })),
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
      ...options.payload,
    };
    const header = { typ: REQUEST_OBJECT_TYP, alg: 'ES256', kid: `${did}#${key.kid}`, ...options.header };
    requests.set(id, signJws(header, payload, (options.signWith ?? key).privateKey));
    return { uri: presentationRequestUri(options.uriClientId ?? clientId, `${server.origin}/requests/${id}`), id, nonce, state };
  };

  return { origin: server.origin, did, clientId, key, publish, received, close: server.close };
}
