import { randomBytes } from 'node:crypto';
import { httpFetch, type OutboundPolicy, ShomeiError } from '@shomei/shared';
import { requestObjectFailure } from '../lib/remote-errors.js';
import { sanitize } from '../ui/text.js';
import { REQUEST_SIGNING_ALGS } from './client-id/signature.js';

/** Longer than any QR code holds; a request by value with an x5c chain fits easily. */
const MAX_INPUT = 64 * 1024;
/** Authorization request parameters that carry JSON (OpenID4VP 1.0 §5.1), decoded from URL parameters. */
const JSON_PARAMETERS = ['dcql_query', 'client_metadata', 'transaction_data', 'verifier_info'];

/**
 * The three ways an OpenID4VP 1.0 authorization request reaches a wallet (§5, RFC 9101):
 * a request object by reference (`request_uri`, fetched with GET or, with `request_uri_method=post`,
 * POST §5.10), a request object by value (`request`), or plain URL parameters (unsigned).
 */
export type RequestInput =
  | { kind: 'by_reference'; clientId: string | undefined; requestUri: string; method: 'get' | 'post' }
  | { kind: 'by_value'; clientId: string; request: string }
  | { kind: 'parameters'; clientId: string; params: Record<string, unknown> };

/**
 * What a person may paste (the text under a QR code): `openid4vp://?…` or the same parameters on an
 * https link, or the https request URI itself (then the client is the one the request object
 * names). Plain http only for loopback development.
 */
export function parseRequestInput(input: string): RequestInput {
  const text = input.trim().replace(/\s+/g, '');
  if (text.length > MAX_INPUT) throw new ShomeiError('request_invalid', 'the presentation request is too long');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ShomeiError('request_invalid', 'the presentation request is not a URI (expected openid4vp://… or https://…)');
  }
  const q = url.searchParams;
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  if (url.protocol !== 'openid4vp:' && !web) {
    throw new ShomeiError('request_invalid', `unsupported presentation request scheme ${sanitize(url.protocol, 20)}`);
  }
  const isRequest = url.protocol === 'openid4vp:' || q.has('request_uri') || q.has('request') || q.has('response_type');
  if (!isRequest) return { kind: 'by_reference', clientId: undefined, requestUri: checkedHttpUrl(text, 'request_uri'), method: 'get' };

  for (const name of new Set(q.keys())) {
    if (q.getAll(name).length > 1) throw new ShomeiError('request_invalid', `the request repeats the ${sanitize(name, 40)} parameter`);
  }
  const clientId = q.get('client_id');
  if (!clientId) throw new ShomeiError('request_invalid', 'the presentation request has no client_id');
  const requestUri = q.get('request_uri');
  const request = q.get('request');
  if (requestUri !== null && request !== null) {
    throw new ShomeiError('request_invalid', 'a request cannot carry both request and request_uri (RFC 9101 §5)');
  }
  const method = q.get('request_uri_method');
  if (method !== null && requestUri === null) throw new ShomeiError('request_invalid', 'request_uri_method without request_uri');
  if (requestUri !== null) {
    const m = (method ?? 'get').toLowerCase();
    if (m !== 'get' && m !== 'post') throw new ShomeiError('request_invalid', 'request_uri_method must be get or post');
    return { kind: 'by_reference', clientId, requestUri: checkedHttpUrl(requestUri, 'request_uri'), method: m };
  }
  if (request !== null) return { kind: 'by_value', clientId, request };
  const params: Record<string, unknown> = {};
  for (const [name, value] of q) {
    if (!JSON_PARAMETERS.includes(name)) {
      params[name] = value;
      continue;
    }
    try {
      params[name] = JSON.parse(value);
    } catch {
      throw new ShomeiError('request_invalid', `the ${name} parameter is not JSON`);
    }
  }
  return { kind: 'parameters', clientId, params };
}

/** https, or http on a loopback host (development). */
export function checkedHttpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ShomeiError('request_invalid', `the ${what} is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url.toString();
  throw new ShomeiError('request_invalid', `the ${what} must be https`);
}

/** GETs the request object behind `request_uri` (OpenID4VP 1.0 §5, RFC 9101 §5.2). */
export async function fetchRequestObject(requestUri: string, policy?: OutboundPolicy): Promise<string> {
  const res = await httpFetch(requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' }, maxBytes: 64 * 1024, policy });
  if (res.status !== 200) throw requestObjectFailure(res);
  return res.body.trim();
}

/**
 * POSTs to `request_uri` (OpenID4VP 1.0 §5.10): the wallet's metadata and a fresh `wallet_nonce`,
 * which the returned request object must carry (checked by the caller) so that a request object
 * made for another wallet, or an older one, cannot be replayed into this exchange.
 */
export async function postRequestObject(
  requestUri: string,
  clientId: string | undefined,
  policy?: OutboundPolicy,
): Promise<{ requestObject: string; walletNonce: string }> {
  const walletNonce = randomBytes(16).toString('base64url');
  const body = new URLSearchParams({ wallet_metadata: JSON.stringify(walletMetadata(clientId)), wallet_nonce: walletNonce });
  const res = await httpFetch(requestUri, {
    method: 'POST',
    body,
    headers: { accept: 'application/oauth-authz-req+jwt', 'content-type': 'application/x-www-form-urlencoded' },
    maxBytes: 64 * 1024,
    policy,
  });
  if (res.status !== 200) throw requestObjectFailure(res);
  return { requestObject: res.body.trim(), walletNonce };
}

/** OpenID4VP 1.0 §10 wallet metadata. No signing algs for a redirect_uri client, which cannot sign (§5.10). */
function walletMetadata(clientId: string | undefined): Record<string, unknown> {
  const unsigned = clientId?.startsWith('redirect_uri:') === true;
  return {
    response_types_supported: ['vp_token'],
    response_modes_supported: ['direct_post'],
    client_id_prefixes_supported: ['decentralized_identifier', 'x509_san_dns', 'x509_hash', 'redirect_uri'],
    vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256', 'ES384', 'ES512', 'EdDSA'], 'kb-jwt_alg_values': ['ES256'] } },
    ...(unsigned ? {} : { request_object_signing_alg_values_supported: [...REQUEST_SIGNING_ALGS] }),
  };
}
