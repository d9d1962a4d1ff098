import { readFileSync } from 'node:fs';
import { parseWith, ShomeiError } from '@shomei/shared';
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

export const trustedIssuerSchema = z
  .strictObject({
    iss: issuerUrl,
    /** Pinned public keys: trusted without any fetch. */
    keys: z.array(publicJwkSchema).max(32).optional(),
    /** Fetch keys from `<iss>/.well-known/jwt-vc-issuer`; default true when no keys are pinned. */
    discover: z.boolean().optional(),
  })
  .refine((i) => (i.keys?.length ?? 0) > 0 || i.discover !== false, 'needs pinned keys or discovery');

export const trustConfigSchema = z
  .strictObject({ issuers: z.array(trustedIssuerSchema).max(256) })
  .refine((c) => new Set(c.issuers.map((i) => i.iss)).size === c.issuers.length, 'lists the same iss twice');

export type TrustConfig = z.infer<typeof trustConfigSchema>;
export type TrustedIssuerConfig = z.infer<typeof trustedIssuerSchema>;

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
