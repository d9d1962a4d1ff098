import { readFileSync } from 'node:fs';
import { ALL_JWS_ALGS, ASSURANCE_LEVELS, parseWith, ShomeiError } from '@shomei/shared';
import { z } from 'zod';

const publicJwkSchema = z
  .looseObject({
    kty: z.enum(['EC', 'OKP', 'RSA']),
    kid: z.string().min(1).max(512).optional(),
    alg: z.string().max(16).optional(),
    use: z.string().max(16).optional(),
  })
  .refine((jwk) => !('d' in jwk), 'must be a public key (it carries private key material "d")');

/** `iss` is compared as a string, so it is taken exactly as credentials carry it (no trailing slash). */
const issuerUrl = z
  .url({ protocol: /^https?$/ })
  .max(512)
  .refine((s) => !s.endsWith('/'), 'must not end with a slash (it is compared with iss exactly)');

const assuranceSchema = z.enum(ASSURANCE_LEVELS as unknown as [string, ...string[]]);

export const trustedIssuerSchema = z
  .strictObject({
    iss: issuerUrl,
    /** Pinned public keys: trusted without any fetch. */
    keys: z.array(publicJwkSchema).max(32).optional(),
    /** Fetch keys from `<iss>/.well-known/jwt-vc-issuer`; default true when no keys are pinned. */
    discover: z.boolean().optional(),
    /** Credential types this issuer may issue (default: the identity credential). */
    vcts: z.array(z.string().min(1).max(512)).min(1).max(32).optional(),
    /** The highest assurance level this issuer may assert (default IAL3). */
    max_assurance: assuranceSchema.optional(),
    /** This issuer's `status.required`, over the service-wide one (see below). */
    status: z.strictObject({ required: z.boolean().optional() }).optional(),
  })
  .refine((i) => (i.keys?.length ?? 0) > 0 || i.discover !== false, 'needs pinned keys or discovery');

/** A trust anchor (an industry body or regulator) whose accreditation VC-JWTs admit issuers. */
export const trustAnchorSchema = z.strictObject({
  /** The anchor's DID (did:jwk, resolvable offline), the VC-JWT `iss`. */
  did: z.string().regex(/^did:jwk:[A-Za-z0-9_-]+$/, 'must be a did:jwk DID'),
  name: z.string().max(200).optional(),
});

export const trustConfigSchema = z
  .strictObject({
    issuers: z.array(trustedIssuerSchema).max(256).default([]),
    anchors: z.array(trustAnchorSchema).max(16).optional(),
    /** Issuer signature algorithms accepted (default ES256, ES384, ES512, EdDSA, RS256, PS256); none and HMAC never. */
    algorithms: z
      .array(z.enum(ALL_JWS_ALGS as unknown as [string, ...string[]]))
      .min(1)
      .optional(),
    /** How long discovered issuer keys are cached (default 600 s). */
    key_ttl_seconds: z.number().int().min(10).max(86_400).optional(),
    status: z
      .strictObject({
        /** A list past its ttl whose refresh failed: reject the credential, or accept and say so (default reject). */
        stale: z.enum(['reject', 'accept']).optional(),
        /** How long past its ttl a list counts as fresh while the background refresh runs (default 60 s). */
        stale_after_seconds: z.number().int().min(0).max(3600).optional(),
        /**
         * Whether a credential must carry a `status` claim (default true). SD-JWT VC makes it
         * OPTIONAL; when not required, a credential without one verifies with status "none" and
         * a status_absent warning (it cannot be revoked). A status claim that is there but
         * unreadable is always refused.
         */
        required: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((c) => new Set(c.issuers.map((i) => i.iss)).size === c.issuers.length, 'lists the same iss twice');

export type TrustConfig = z.infer<typeof trustConfigSchema>;
export type TrustConfigInput = z.input<typeof trustConfigSchema>;
export type TrustedIssuerConfig = z.infer<typeof trustedIssuerSchema>;
export type TrustAnchorConfig = z.infer<typeof trustAnchorSchema>;

export function parseTrustConfig(json: unknown): TrustConfig {
  return parseWith(trustConfigSchema, json, 'trust configuration');
}

export function loadTrustConfig(file: string): TrustConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ShomeiError('invalid_request', 'cannot read the trust configuration file', { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ShomeiError('invalid_request', 'the trust configuration file is not JSON');
  }
  return parseTrustConfig(json);
}
