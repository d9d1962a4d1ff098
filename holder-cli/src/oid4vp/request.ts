import type { X509Certificate } from 'node:crypto';
import {
  authorizationRequestSchema,
  type DcqlQuery,
  type DidDocument,
  type OutboundPolicy,
  type ParsedJws,
  parseJws,
  parseWith,
  REDIRECT_URI_CLIENT_ID_PREFIX,
  REQUEST_OBJECT_TYP,
  resolveDidWeb,
  ShomeiError,
} from '@shomei/shared';
import { sanitize } from '../ui/text.js';
import { identifyByDid } from './client-id/did.js';
import { splitClientId } from './client-id/prefix.js';
import { identifyByRedirectUri } from './client-id/redirect-uri.js';
import { identifyByCertificateHash, identifyBySanDns } from './client-id/x509.js';
import { checkedHttpUrl, fetchRequestObject, parseRequestInput, postRequestObject } from './request-input.js';
import type { VerifierIdentity } from './verifier-identity.js';

export { fetchRequestObject, parseRequestInput } from './request-input.js';

const CLOCK_SKEW_SECONDS = 60;

export type DcqlCredentialQuery = DcqlQuery['credentials'][number];

/** A request whose verifier identity, binding to the response_uri and expiry have been checked. */
export interface VerifiedRequest {
  clientId: string;
  /** How the verifier was identified, and whether that identity is proven (see VerifierIdentity). */
  verifierIdentity: VerifierIdentity;
  /** The verifier's self-declared name, cleaned for the terminal; null when it gave none. */
  clientName: string | null;
  purpose: string | null;
  nonce: string;
  /** Returned with the response when the request had one (OpenID4VP 1.0 §5.2: RECOMMENDED, not required). */
  state: string | null;
  responseUri: string;
  query: DcqlCredentialQuery;
  /** DCQL claim_sets of the query (first = all claim ids, last = the required ones), or null. */
  claimSets: string[][] | null;
  /** null only for an unsigned request that named no expiry. */
  expiresAt: Date | null;
}

export interface VerifyRequestOptions {
  /** The client_id of the `openid4vp://` URI the person was given (undefined for a bare https request URI). */
  clientId: string | undefined;
  now: Date;
  resolveDid?: ((did: string) => Promise<DidDocument>) | undefined;
  /** CA certificates that may vouch for x509_san_dns / x509_hash verifiers. */
  verifierRoots?: readonly X509Certificate[] | undefined;
  /** The wallet_nonce sent with `request_uri_method=post`, which the request object must carry. */
  walletNonce?: string | undefined;
}

/** The request as received: a request object (signed, or unsecured `alg: none`), or plain URL parameters. */
export type ReceivedRequest = { kind: 'request_object'; jwt: string } | { kind: 'parameters'; params: Record<string, unknown> };

/** A request object (by value or by reference) → the verified request. */
export function verifyRequestObject(jwt: string, options: VerifyRequestOptions): Promise<VerifiedRequest> {
  return verifyAuthorizationRequest({ kind: 'request_object', jwt }, options);
}

/**
 * Checks an authorization request: its client identifier prefix decides how the verifier must
 * prove who it is (OpenID4VP 1.0 §5.9.3), and a prefix that needs a signature gets nothing less.
 * The `iss` of a request object is ignored, as OpenID4VP asks; its `client_id` is what is proven,
 * and it must be the one the person was shown. Nothing here trusts the verifier's name: it is only
 * displayed, beside the identity that was actually checked.
 */
export async function verifyAuthorizationRequest(received: ReceivedRequest, options: VerifyRequestOptions): Promise<VerifiedRequest> {
  const { jws, payload } = received.kind === 'parameters' ? { jws: null, payload: received.params } : decodeRequestObject(received.jwt);
  const request = parseWith(authorizationRequestSchema, withDefaultResponseUri(payload), 'request object', 'request_invalid');
  if (options.clientId !== undefined && request.client_id !== options.clientId) {
    throw new ShomeiError('request_invalid', 'the client_id of the request URI does not match the request object');
  }
  if (payload.redirect_uri !== undefined) throw new ShomeiError('request_invalid', 'a direct_post request must not carry redirect_uri');
  if (payload.transaction_data !== undefined) throw new ShomeiError('request_invalid', 'this wallet does not support transaction_data');
  if (options.walletNonce !== undefined && request.wallet_nonce !== options.walletNonce) {
    throw new ShomeiError('request_invalid', 'the request object does not carry the wallet_nonce this wallet sent');
  }
  const responseUri = new URL(checkedHttpUrl(request.response_uri, 'response_uri'));

  const { prefix, value } = splitClientId(request.client_id);
  const signed = (): ParsedJws => {
    if (jws) return jws;
    throw new ShomeiError('request_invalid', `a ${prefix} verifier must send a signed request object`);
  };
  let verifierIdentity: VerifierIdentity;
  switch (prefix) {
    case 'decentralized_identifier':
      verifierIdentity = await identifyByDid(value, signed(), responseUri, { resolveDid: options.resolveDid ?? resolveDidWeb });
      break;
    case 'x509_san_dns':
      verifierIdentity = identifyBySanDns(value, signed(), responseUri, { roots: options.verifierRoots ?? [], now: options.now });
      break;
    case 'x509_hash':
      verifierIdentity = identifyByCertificateHash(value, signed(), { roots: options.verifierRoots ?? [], now: options.now });
      break;
    case 'redirect_uri':
      verifierIdentity = identifyByRedirectUri(value, jws !== null, request.response_uri);
      break;
  }

  const now = Math.floor(options.now.getTime() / 1000);
  // A signed request object must expire: it is a bearer of the verifier's authority and could
  // otherwise be replayed forever. Unsigned parameters carry no authority to expire.
  if (jws && typeof request.exp !== 'number') throw new ShomeiError('request_invalid', 'the request object has no exp');
  if (typeof request.exp === 'number' && now - CLOCK_SKEW_SECONDS >= request.exp) {
    throw new ShomeiError('expired', 'the presentation request has expired');
  }

  const [query, ...more] = request.dcql_query.credentials;
  if (!query || more.length > 0) throw new ShomeiError('request_invalid', 'this wallet answers requests for exactly one credential');
  const name = request.client_metadata?.client_name;
  return {
    clientId: request.client_id,
    verifierIdentity,
    clientName: name ? sanitize(name, 100) : null,
    purpose: request.purpose ? sanitize(request.purpose, 500) : null,
    nonce: request.nonce,
    state: request.state ?? null,
    responseUri: request.response_uri,
    query,
    claimSets: query.claim_sets ?? null,
    expiresAt: typeof request.exp === 'number' ? new Date(request.exp * 1000) : null,
  };
}

/**
 * A request object is a JWT with typ `oauth-authz-req+jwt` (RFC 9101 §10.8, OpenID4VP 1.0 §5).
 * Signed, or unsecured (`alg: none`, empty signature) — the latter is returned without a JWS so
 * that every prefix requiring a signature refuses it. Encrypted request objects are not supported.
 */
function decodeRequestObject(jwt: string): { jws: ParsedJws | null; payload: Record<string, unknown> } {
  const parts = jwt.split('.');
  if (parts.length === 5) throw new ShomeiError('request_invalid', 'encrypted request objects are not supported');
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  let jws: ParsedJws | null = null;
  if (parts.length === 3 && parts[2] === '') {
    header = decodeJsonPart(parts[0] ?? '', 'header');
    payload = decodeJsonPart(parts[1] ?? '', 'payload');
    if (header.alg !== 'none') throw new ShomeiError('request_invalid', 'the request object has no signature');
  } else {
    jws = parseJws(jwt, 'request_invalid');
    if (jws.header.alg === 'none') throw new ShomeiError('request_invalid', 'an unsecured request object must have an empty signature');
    header = jws.header;
    payload = jws.payload;
  }
  if (header.typ !== REQUEST_OBJECT_TYP) throw new ShomeiError('request_invalid', `the request object typ must be ${REQUEST_OBJECT_TYP}`);
  return { jws, payload };
}

function decodeJsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new ShomeiError('request_invalid', `the request object ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShomeiError('request_invalid', `the request object ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A redirect_uri verifier MAY leave out response_uri: its client id value is it (OpenID4VP 1.0 §5.9.3). */
function withDefaultResponseUri(payload: Record<string, unknown>): Record<string, unknown> {
  const id = payload.client_id;
  if (payload.response_uri !== undefined || typeof id !== 'string' || !id.startsWith(REDIRECT_URI_CLIENT_ID_PREFIX)) return payload;
  return { ...payload, response_uri: id.slice(REDIRECT_URI_CLIENT_ID_PREFIX.length) };
}

export interface LoadRequestOptions {
  now: () => Date;
  resolveDid?: ((did: string) => Promise<DidDocument>) | undefined;
  verifierRoots?: readonly X509Certificate[] | undefined;
  /** The wallet's outbound-fetch policy: a request URI from a QR code never reaches loopback unless the setting allows it. */
  policy?: OutboundPolicy | undefined;
}

/** A pasted request (see parseRequestInput) → the verified request, fetching the request object if it is by reference. */
export async function loadPresentationRequest(uri: string, options: LoadRequestOptions): Promise<VerifiedRequest> {
  const input = parseRequestInput(uri);
  const resolveDid = options.resolveDid ?? ((did: string) => resolveDidWeb(did, { policy: options.policy }));
  const verify = { now: options.now(), resolveDid, verifierRoots: options.verifierRoots };
  switch (input.kind) {
    case 'by_reference': {
      if (input.method === 'get') {
        return verifyRequestObject(await fetchRequestObject(input.requestUri, options.policy), { ...verify, clientId: input.clientId });
      }
      const { requestObject, walletNonce } = await postRequestObject(input.requestUri, input.clientId, options.policy);
      return verifyRequestObject(requestObject, { ...verify, clientId: input.clientId, walletNonce });
    }
    case 'by_value':
      return verifyRequestObject(input.request, { ...verify, clientId: input.clientId });
    case 'parameters':
      return verifyAuthorizationRequest({ kind: 'parameters', params: input.params }, { ...verify, clientId: input.clientId });
  }
}
