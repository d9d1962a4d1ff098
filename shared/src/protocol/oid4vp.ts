import { z } from 'zod';
import { ShomeiError } from '../errors.js';

/** OpenID for Verifiable Presentations 1.0 messages: requests by reference and by value, DCQL, direct_post. */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
export const OID4VP_SCHEME = 'openid4vp:';
/** Client identifier prefix for a verifier identified by a DID (here did:web). */
export const DID_CLIENT_ID_PREFIX = 'decentralized_identifier:';
/** OpenID4VP 1.0 §5.9.3: a DNS name that a dNSName SAN of the `x5c` leaf certificate must carry. */
export const X509_SAN_DNS_CLIENT_ID_PREFIX = 'x509_san_dns:';
/** OpenID4VP 1.0 §5.9.3: base64url SHA-256 of the DER `x5c` leaf certificate. */
export const X509_HASH_CLIENT_ID_PREFIX = 'x509_hash:';
/** OpenID4VP 1.0 §5.9.3: the verifier's redirect (here response) URI; such requests cannot be signed. */
export const REDIRECT_URI_CLIENT_ID_PREFIX = 'redirect_uri:';
/** OpenID4VP 1.0 §5.9.3: a verifier attestation JWT in the `jwt` header binds the signing key. */
export const VERIFIER_ATTESTATION_CLIENT_ID_PREFIX = 'verifier_attestation:';

export const dcqlClaimSchema = z.object({
  id: z.string().max(64).optional(),
  path: z
    .array(z.union([z.string().max(128), z.number().int().nonnegative(), z.null()]))
    .min(1)
    .max(8),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const dcqlCredentialQuerySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  format: z.string(),
  multiple: z.boolean().optional(),
  meta: z.looseObject({ vct_values: z.array(z.string()).optional() }).optional(),
  claims: z.array(dcqlClaimSchema).max(64).optional(),
  /** DCQL claim sets by claim `id`: the first lists every claim, the last the required ones only (Shomei contract 2). */
  claim_sets: z
    .array(z.array(z.string().max(64)).max(64))
    .min(1)
    .max(8)
    .optional(),
});

export const dcqlQuerySchema = z.object({
  credentials: z.array(dcqlCredentialQuerySchema).min(1).max(8),
});
export type DcqlQuery = z.infer<typeof dcqlQuerySchema>;

export const requestObjectSchema = z.looseObject({
  client_id: z.string().min(1).max(512),
  response_type: z.literal('vp_token'),
  response_mode: z.literal('direct_post'),
  response_uri: z.url(),
  nonce: z.string().min(16).max(256),
  /** Shomei's verifier always sends one; other verifiers need not (see authorizationRequestSchema). */
  state: z.string().min(1).max(256),
  /** Echo of the nonce the wallet sent with `request_uri_method=post` (OpenID4VP 1.0 §5.10.1). */
  wallet_nonce: z.string().min(1).max(256).optional(),
  dcql_query: dcqlQuerySchema,
  client_metadata: z
    .looseObject({
      client_name: z.string().max(200).optional(),
      vp_formats_supported: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** Shomei extension: why the verifier asks, shown to the person before consent. */
  purpose: z.string().max(500).optional(),
  iat: z.number().optional(),
  exp: z.number().optional(),
});
export type RequestObject = z.infer<typeof requestObjectSchema>;

/**
 * What a wallet accepts from any OpenID4VP 1.0 verifier: a request object or unsigned request
 * parameters, where `state` is RECOMMENDED, not required (§5.2); without it the response carries none.
 */
export const authorizationRequestSchema = requestObjectSchema.extend({
  state: z.string().min(1).max(256).optional(),
});
export type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;

export function presentationRequestUri(clientId: string, requestUri: string): string {
  const q = new URLSearchParams({ client_id: clientId, request_uri: requestUri });
  return `${OID4VP_SCHEME}//?${q.toString()}`;
}

/**
 * Parses `openid4vp://?client_id=…&request_uri=…` (request by reference only; the wallet reads
 * every form of request in holder-cli's own parser).
 */
export function parsePresentationRequestUri(uri: string): { clientId: string; requestUri: string } {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    throw new ShomeiError('request_invalid', 'the presentation request is not a URI');
  }
  const clientId = url.searchParams.get('client_id');
  const requestUri = url.searchParams.get('request_uri');
  if (!clientId || !requestUri) throw new ShomeiError('request_invalid', 'the presentation request needs client_id and request_uri');
  return { clientId, requestUri };
}

/** The body of a `direct_post` response: `vp_token` is a JSON object keyed by DCQL credential query id. */
export const vpTokenSchema = z.record(
  z.string(),
  z
    .array(
      z
        .string()
        .min(1)
        .max(256 * 1024),
    )
    .min(1)
    .max(4),
);
