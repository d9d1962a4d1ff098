import { z } from 'zod';
import { ShomeiError } from '../errors.js';
import { parseWith } from '../validation.js';

/** OpenID for Verifiable Credential Issuance 1.0 messages (pre-authorized code flow). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
export const PROOF_TYP = 'openid4vci-proof+jwt';
export const OFFER_SCHEME = 'openid-credential-offer:';
/** The credential configuration id of the identity credential. */
export const IDENTITY_CONFIGURATION_ID = 'jp_identity_sd_jwt';

export const txCodeSchema = z.object({
  input_mode: z.enum(['numeric', 'text']).default('numeric'),
  length: z.number().int().positive().max(64).optional(),
  description: z.string().max(300).optional(),
});

export const credentialOfferSchema = z.object({
  credential_issuer: z.url(),
  credential_configuration_ids: z.array(z.string().min(1)).min(1),
  grants: z.object({
    [PRE_AUTHORIZED_GRANT]: z.object({
      'pre-authorized_code': z.string().min(1).max(512),
      tx_code: txCodeSchema.optional(),
    }),
  }),
});
export type CredentialOffer = z.infer<typeof credentialOfferSchema>;

export function credentialOfferUri(offer: CredentialOffer): string {
  return `${OFFER_SCHEME}//?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`;
}

/** `openid-credential-offer://?credential_offer_uri=…` (OpenID4VCI 1.0 §4.1.3): the wallet GETs the offer JSON from `url`. */
export function credentialOfferByReferenceUri(url: string): string {
  return `${OFFER_SCHEME}//?credential_offer_uri=${encodeURIComponent(url)}`;
}

/** Parses `openid-credential-offer://?credential_offer=…` (by value). Returns the offer or a `credential_offer_uri` to fetch. */
export function parseCredentialOfferUri(uri: string): { offer: CredentialOffer } | { offerUri: string } {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    throw new ShomeiError('invalid_request', 'the credential offer is not a URI');
  }
  const byValue = url.searchParams.get('credential_offer');
  const byRef = url.searchParams.get('credential_offer_uri');
  if (byValue) {
    let json: unknown;
    try {
      json = JSON.parse(byValue);
    } catch {
      throw new ShomeiError('invalid_request', 'credential_offer is not JSON');
    }
    return { offer: parseWith(credentialOfferSchema, json, 'credential offer') };
  }
  if (byRef) return { offerUri: byRef };
  throw new ShomeiError('invalid_request', 'the URI has neither credential_offer nor credential_offer_uri');
}

export const issuerMetadataSchema = z.looseObject({
  credential_issuer: z.url(),
  credential_endpoint: z.url(),
  nonce_endpoint: z.url().optional(),
  authorization_servers: z.array(z.url()).optional(),
  batch_credential_issuance: z.object({ batch_size: z.number().int().positive() }).optional(),
  display: z.array(z.looseObject({ name: z.string().optional(), locale: z.string().optional() })).optional(),
  credential_configurations_supported: z.record(
    z.string(),
    z.looseObject({
      format: z.string(),
      vct: z.string().optional(),
      cryptographic_binding_methods_supported: z.array(z.string()).optional(),
      proof_types_supported: z.record(z.string(), z.looseObject({ proof_signing_alg_values_supported: z.array(z.string()) })).optional(),
    }),
  ),
});
export type IssuerMetadata = z.infer<typeof issuerMetadataSchema>;

export const authorizationServerMetadataSchema = z.looseObject({
  issuer: z.url(),
  token_endpoint: z.url(),
  'pre-authorized_grant_anonymous_access_supported': z.boolean().optional(),
});

export const tokenRequestSchema = z.object({
  grant_type: z.literal(PRE_AUTHORIZED_GRANT),
  'pre-authorized_code': z.string().min(1).max(512),
  tx_code: z.string().max(64).optional(),
});

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
});

export const nonceResponseSchema = z.looseObject({ c_nonce: z.string().min(1) });

const proofJwtSchema = z.string().min(1).max(8192);

/**
 * A credential request as wallets send it: OpenID4VCI 1.0 (`credential_configuration_id` +
 * `proofs`), or an older draft's shape — the singular `proof` of drafts 13–15 and the `format` +
 * `vct` of drafts 13–14. Which combinations are acceptable is decided by the issuer, not here.
 */
export const credentialRequestSchema = z.object({
  credential_configuration_id: z.string().min(1).max(128).optional(),
  /** Drafts 13–14 §7.2/§8.2: a Credential Format Identifier (Appendix A), e.g. `vc+sd-jwt`. */
  format: z.string().min(1).max(64).optional(),
  /** Drafts 13–14 Appendix A.3.4: REQUIRED with the SD-JWT VC format. */
  vct: z.string().min(1).max(512).optional(),
  proofs: z.object({ jwt: z.array(proofJwtSchema).min(1).max(16) }).optional(),
  /** Drafts 13–15: one key proof, `{proof_type, jwt}`. */
  proof: z.object({ proof_type: z.string().min(1).max(64), jwt: proofJwtSchema.optional() }).optional(),
});
export type CredentialRequest = z.infer<typeof credentialRequestSchema>;

export const credentialResponseSchema = z.looseObject({
  credentials: z.array(z.object({ credential: z.string().min(1) })).min(1),
});

/**
 * OAuth-shaped error body: `{ error, error_description }`. A Shomei issuer adds two extension members
 * (RFC 6749 §8.1): `shomei_code`, the stable error code, and `details` (e.g. `attempts_left`) when the
 * error has them. Another issuer's malformed extension members are ignored, not fatal.
 */
export const oauthErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
  shomei_code: z.string().max(64).optional().catch(undefined),
  details: z.record(z.string(), z.unknown()).optional().catch(undefined),
});
