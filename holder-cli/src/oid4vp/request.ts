import {
  type DcqlQuery,
  DID_CLIENT_ID_PREFIX,
  type DidDocument,
  didWebDocumentUrl,
  httpFetch,
  parseJws,
  parsePresentationRequestUri,
  parseWith,
  publicKeyFromJwk,
  REQUEST_OBJECT_TYP,
  requestObjectSchema,
  resolveDidWeb,
  ShomeiError,
  verifyJwsSignature,
} from '@shomei/shared';
import { sanitize } from '../ui/text.js';

const DID_WEB_CLIENT_PREFIX = `${DID_CLIENT_ID_PREFIX}did:web:`;
const CLOCK_SKEW_SECONDS = 60;

export type DcqlCredentialQuery = DcqlQuery['credentials'][number];

/** A request object whose signature, client and expiry have been checked. */
export interface VerifiedRequest {
  clientId: string;
  did: string;
  /** Verification method that signed the request (`did:web:…#kid`). */
  kid: string;
  /** The verifier's self-declared name, cleaned for the terminal; null when it gave none. */
  clientName: string | null;
  purpose: string | null;
  nonce: string;
  state: string;
  responseUri: string;
  query: DcqlCredentialQuery;
  /** DCQL claim_sets of the query (first = all claim ids, last = the required ones), or null. */
  claimSets: string[][] | null;
  expiresAt: Date;
}

export interface VerifyRequestOptions {
  /** The client_id of the `openid4vp://` URI the person was given (undefined for a bare https request URI). */
  clientId: string | undefined;
  now: Date;
  resolveDid?: (did: string) => Promise<DidDocument>;
}

/** GETs the request object behind `request_uri` (OpenID4VP §5.7, request by reference). */
export async function fetchRequestObject(requestUri: string): Promise<string> {
  const res = await httpFetch(requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' }, maxBytes: 64 * 1024 });
  if (res.status !== 200) throw new ShomeiError('request_invalid', `the request object could not be fetched (HTTP ${res.status})`);
  return res.body.trim();
}

/**
 * Checks a signed request object: typ, schema, the client_id the person was shown, a
 * `decentralized_identifier:did:web:` client whose DID document holds the signing key (by header
 * kid), a response_uri on the DID's own origin, and expiry. Nothing here trusts the verifier's
 * name: it is only displayed, beside the DID that was actually proven.
 */
export async function verifyRequestObject(jws: string, options: VerifyRequestOptions): Promise<VerifiedRequest> {
  const parsed = parseJws(jws, 'request_invalid');
  if (parsed.header.typ !== REQUEST_OBJECT_TYP)
    throw new ShomeiError('request_invalid', `the request object typ must be ${REQUEST_OBJECT_TYP}`);
  const request = parseWith(requestObjectSchema, parsed.payload, 'request object', 'request_invalid');
  if (options.clientId !== undefined && request.client_id !== options.clientId) {
    throw new ShomeiError('request_invalid', 'the client_id of the request URI does not match the signed request');
  }
  if (request.iss !== undefined && request.iss !== request.client_id) {
    throw new ShomeiError('request_invalid', 'the request object iss is not its client_id');
  }
  if (!request.client_id.startsWith(DID_WEB_CLIENT_PREFIX)) {
    throw new ShomeiError('request_invalid', `only verifiers identified as ${DID_WEB_CLIENT_PREFIX}… are supported`);
  }
  const did = request.client_id.slice(DID_CLIENT_ID_PREFIX.length);
  const kid = parsed.header.kid;
  if (typeof kid !== 'string' || !kid.startsWith(`${did}#`)) {
    throw new ShomeiError('request_invalid', "the request object kid is not a key of the verifier's DID");
  }
  const didOrigin = new URL(didWebDocumentUrl(did)).origin;
  let responseOrigin: string;
  try {
    responseOrigin = new URL(request.response_uri).origin;
  } catch {
    throw new ShomeiError('request_invalid', 'the response_uri is not a URL');
  }

  const document = await (options.resolveDid ?? resolveDidWeb)(did);
  const method = document.verificationMethod.find((m) => m.id === kid || `${did}${m.id}` === kid);
  if (!method) throw new ShomeiError('request_invalid', "the request object was signed with a key the verifier's DID does not list");
  verifyJwsSignature(parsed, publicKeyFromJwk(method.publicKeyJwk), {
    allowed: ['ES256', 'ES384', 'ES512', 'EdDSA'],
    code: 'request_invalid',
  });

  if (responseOrigin !== didOrigin) {
    throw new ShomeiError('request_invalid', "the response_uri is not on the verifier's own origin");
  }
  const now = Math.floor(options.now.getTime() / 1000);
  if (typeof request.exp !== 'number') throw new ShomeiError('request_invalid', 'the request object has no exp');
  if (now - CLOCK_SKEW_SECONDS >= request.exp) throw new ShomeiError('expired', 'the presentation request has expired');

  const [query, ...more] = request.dcql_query.credentials;
  if (!query || more.length > 0) throw new ShomeiError('request_invalid', 'this wallet answers requests for exactly one credential');
  const name = request.client_metadata?.client_name;
  return {
    clientId: request.client_id,
    did,
    kid,
    clientName: name ? sanitize(name, 100) : null,
    purpose: request.purpose ? sanitize(request.purpose, 500) : null,
    nonce: request.nonce,
    state: request.state,
    responseUri: request.response_uri,
    query,
    claimSets: query.claim_sets ?? null,
    expiresAt: new Date(request.exp * 1000),
  };
}

/**
 * What a person may paste (the text under a QR code): `openid4vp://?client_id=…&request_uri=…`, the
 * same parameters on an https link, or the https request URI itself (then the client is the one
 * the signed request names, proven by its DID). Plain http only for loopback development.
 */
export function parseRequestInput(input: string): { clientId: string | undefined; requestUri: string } {
  const text = input.trim().replace(/\s+/g, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ShomeiError('request_invalid', 'the presentation request is not a URI (expected openid4vp://… or https://…)');
  }
  if (url.protocol === 'openid4vp:' || url.searchParams.has('request_uri')) {
    const { clientId, requestUri } = parsePresentationRequestUri(text);
    return { clientId, requestUri: checkedHttpUrl(requestUri) };
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') return { clientId: undefined, requestUri: checkedHttpUrl(text) };
  throw new ShomeiError('request_invalid', `unsupported presentation request scheme ${sanitize(url.protocol, 20)}`);
}

function checkedHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ShomeiError('request_invalid', 'the request_uri is not a URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url.toString();
  throw new ShomeiError('request_invalid', 'the request_uri must be https');
}

/** A pasted request (see parseRequestInput) → the verified request. */
export async function loadPresentationRequest(
  uri: string,
  options: { now: () => Date; resolveDid?: (did: string) => Promise<DidDocument> },
): Promise<VerifiedRequest> {
  const { clientId, requestUri } = parseRequestInput(uri);
  const jws = await fetchRequestObject(requestUri);
  return verifyRequestObject(jws, { clientId, now: options.now(), resolveDid: options.resolveDid });
}
