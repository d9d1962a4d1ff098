import {
  authorizationServerMetadataSchema,
  type CredentialOffer,
  credentialOfferSchema,
  credentialResponseSchema,
  httpFetch,
  type IssuerMetadata,
  issuerMetadataSchema,
  nonceResponseSchema,
  type OutboundPolicy,
  PRE_AUTHORIZED_GRANT,
  type PublicJwk,
  parseWith,
  ShomeiError,
  tokenResponseSchema,
} from '@shomei/shared';
import { z } from 'zod';
import { oauthFailure } from '../lib/remote-errors.js';

/** The HTTP side of OpenID4VCI (pre-authorized code flow), one function per endpoint. */

const JSON_ACCEPT = { accept: 'application/json' };

/** `${base}/.well-known/<name>`: issuer identifiers here carry no trailing slash. */
function wellKnown(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/.well-known/${name}`;
}

async function getJson(url: string, what: string, policy: OutboundPolicy | undefined): Promise<unknown> {
  const res = await httpFetch(url, { headers: JSON_ACCEPT, policy });
  if (res.status !== 200) throw new ShomeiError('upstream_unavailable', `${what} request answered HTTP ${res.status}`);
  return res.json();
}

export async function fetchCredentialOffer(offerUri: string, policy?: OutboundPolicy): Promise<CredentialOffer> {
  return parseWith(credentialOfferSchema, await getJson(offerUri, 'credential offer', policy), 'credential offer', 'invalid_request');
}

export async function fetchIssuerMetadata(credentialIssuer: string, policy?: OutboundPolicy): Promise<IssuerMetadata> {
  const url = wellKnown(credentialIssuer, 'openid-credential-issuer');
  const metadata = parseWith(
    issuerMetadataSchema,
    await getJson(url, 'issuer metadata', policy),
    'issuer metadata',
    'upstream_unavailable',
  );
  if (metadata.credential_issuer !== credentialIssuer) {
    throw new ShomeiError('untrusted_issuer', "the issuer metadata names another credential_issuer than the offer's");
  }
  return metadata;
}

export async function fetchTokenEndpoint(authorizationServer: string, policy?: OutboundPolicy): Promise<string> {
  const url = wellKnown(authorizationServer, 'oauth-authorization-server');
  const as = parseWith(
    authorizationServerMetadataSchema,
    await getJson(url, 'authorization server metadata', policy),
    'authorization server metadata',
    'upstream_unavailable',
  );
  // RFC 8414 §3.3: the metadata must be about the server it was fetched from.
  if (as.issuer !== authorizationServer) {
    throw new ShomeiError('upstream_unavailable', 'the authorization server metadata names another issuer');
  }
  return as.token_endpoint;
}

export interface IssuedToken {
  accessToken: string;
  /** Present when the issuer lets the wallet come back for more copies (RFC 6749 §6). */
  refreshToken: string | undefined;
}

export async function requestToken(
  tokenEndpoint: string,
  preAuthorizedCode: string,
  txCode: string | undefined,
  policy?: OutboundPolicy,
): Promise<IssuedToken> {
  const form = new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': preAuthorizedCode });
  if (txCode !== undefined) form.set('tx_code', txCode);
  return postToken(tokenEndpoint, form, policy);
}

/** A new access token for a batch the wallet already holds (refresh_token grant). */
export async function refreshAccessToken(tokenEndpoint: string, refreshToken: string, policy?: OutboundPolicy): Promise<IssuedToken> {
  return postToken(tokenEndpoint, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }), policy);
}

async function postToken(tokenEndpoint: string, form: URLSearchParams, policy: OutboundPolicy | undefined): Promise<IssuedToken> {
  const res = await httpFetch(tokenEndpoint, { method: 'POST', body: form, headers: JSON_ACCEPT, policy });
  if (res.status !== 200) throw oauthFailure(res, 'the issuer');
  const token = parseWith(tokenResponseSchema, res.json(), 'token response', 'upstream_unavailable');
  if (token.token_type.toLowerCase() !== 'bearer') throw new ShomeiError('upstream_unavailable', 'the issuer issued a non-Bearer token');
  const refresh = (token as { refresh_token?: unknown }).refresh_token;
  return { accessToken: token.access_token, refreshToken: typeof refresh === 'string' && refresh.length > 0 ? refresh : undefined };
}

export async function requestNonce(nonceEndpoint: string, policy?: OutboundPolicy): Promise<string> {
  const res = await httpFetch(nonceEndpoint, { method: 'POST', headers: JSON_ACCEPT, policy });
  if (res.status !== 200) throw oauthFailure(res, 'the issuer');
  return parseWith(nonceResponseSchema, res.json(), 'nonce response', 'upstream_unavailable').c_nonce;
}

/**
 * One credential request with one proof per holder key (OpenID4VCI 1.0 §8.2, batch issuance):
 * the answer must hold exactly one credential per proof, in the same order.
 */
export async function requestCredentials(
  credentialEndpoint: string,
  accessToken: string,
  configurationId: string,
  proofJwts: readonly string[],
  policy?: OutboundPolicy,
): Promise<string[]> {
  const res = await httpFetch(credentialEndpoint, {
    method: 'POST',
    headers: { ...JSON_ACCEPT, 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ credential_configuration_id: configurationId, proofs: { jwt: proofJwts } }),
    maxBytes: 512 * 1024 * Math.max(1, proofJwts.length),
    policy,
  });
  if (res.status !== 200) throw oauthFailure(res, 'the issuer');
  const body = parseWith(credentialResponseSchema, res.json(), 'credential response', 'upstream_unavailable');
  if (body.credentials.length !== proofJwts.length) {
    throw new ShomeiError(
      'upstream_unavailable',
      `the issuer returned ${body.credentials.length} credentials for ${proofJwts.length} key proofs`,
    );
  }
  return body.credentials.map((c) => c.credential);
}

const jwtVcIssuerSchema = z.looseObject({
  issuer: z.string(),
  jwks: z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })).max(32) }),
});

/** The issuer's signing keys from `/.well-known/jwt-vc-issuer`; its `issuer` must be the issuer asked. */
export async function fetchIssuerKeys(credentialIssuer: string, policy?: OutboundPolicy): Promise<PublicJwk[]> {
  const url = wellKnown(credentialIssuer, 'jwt-vc-issuer');
  const doc = parseWith(jwtVcIssuerSchema, await getJson(url, 'issuer key', policy), 'JWT VC issuer metadata', 'upstream_unavailable');
  if (doc.issuer !== credentialIssuer) throw new ShomeiError('untrusted_issuer', 'the JWT VC issuer metadata names another issuer');
  return doc.jwks.keys as PublicJwk[];
}
