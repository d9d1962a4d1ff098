import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { DisclosureFrame } from '@sd-jwt/types';
import type { PublicJwk } from '../crypto/keys.js';
import type { SigningKey } from '../keys/key-vault.js';
import { nodeSigner, saltGenerator, sdHasher } from './capabilities.js';
import { DEFAULT_SD_ALG, type SdAlg } from './digest.js';

export const SD_JWT_VC_TYP = 'dc+sd-jwt';
export const LEGACY_SD_JWT_VC_TYP = 'vc+sd-jwt';

export interface IssueSdJwtVcInput {
  issuer: string;
  vct: string;
  /** Selectively disclosable claims. Nested objects' members are disclosable one by one too. */
  claims: Record<string, unknown>;
  /** Always-visible claims (evidence, for instance). */
  visible?: Record<string, unknown>;
  holderJwk: PublicJwk;
  status: { idx: number; uri: string };
  issuedAt: Date;
  expiresAt: Date;
  /** Objects whose members are disclosable one by one but that are themselves always present. */
  containersNotDisclosable?: readonly string[];
  /** The digest of the disclosures, written as `_sd_alg` (default sha-256). */
  sdAlg?: SdAlg;
}

/**
 * Issues an SD-JWT VC (`typ` dc+sd-jwt) with the @sd-jwt packages: every claim in `claims` is
 * selectively disclosable, each member of a nested object too.
 */
export async function issueSdJwtVc(key: SigningKey, input: IssueSdJwtVcInput): Promise<string> {
  const sdjwt = new SDJwtVcInstance({
    signer: nodeSigner(key.privateKey),
    signAlg: 'ES256',
    hasher: sdHasher,
    hashAlg: input.sdAlg ?? DEFAULT_SD_ALG,
    saltGenerator,
  });
  const payload = {
    ...input.visible,
    ...input.claims,
    iss: input.issuer,
    vct: input.vct,
    iat: Math.floor(input.issuedAt.getTime() / 1000),
    exp: Math.floor(input.expiresAt.getTime() / 1000),
    cnf: { jwk: stripKid(input.holderJwk) },
    status: { status_list: { idx: input.status.idx, uri: input.status.uri } },
  };
  const frame = disclosureFrame(input.claims, new Set(input.containersNotDisclosable ?? []));
  return sdjwt.issue(payload, frame as DisclosureFrame<typeof payload>, {
    header: { typ: SD_JWT_VC_TYP, kid: key.kid },
  });
}

function disclosureFrame(claims: Record<string, unknown>, containers: Set<string>): Record<string, unknown> {
  const frame: Record<string, unknown> & { _sd: string[] } = { _sd: [] };
  for (const [name, value] of Object.entries(claims)) {
    if (!containers.has(name)) frame._sd.push(name);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      frame[name] = { _sd: Object.keys(value) };
    }
  }
  return frame;
}

function stripKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk;
  return rest;
}
