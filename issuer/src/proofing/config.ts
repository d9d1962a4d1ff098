import { readFileSync } from 'node:fs';
import { ASSURANCE_LEVELS, type PublicJwk, parseWith, ShomeiError } from '@shomei/shared';
import { z } from 'zod';
import { type CrlLoader, CrlStore } from './jpki/crl-store.js';
import type { JpkiTrust } from './jpki/verify.js';
import { parsePemBundle } from './jpki/x509.js';

/** A configured upstream KYC body whose signed assertions the reliance method accepts. */
export interface Upstream {
  /** Its identifier: the `iss` of its assertions. */
  id: string;
  name: string;
  /** Its public signing keys (ES256); assertions signed by any other key are refused. */
  keys: PublicJwk[];
  /** The highest level its proofing reaches; an assertion never yields more. */
  max_level: (typeof ASSURANCE_LEVELS)[number];
}

export interface ProofingConfig {
  /** JPKI trust anchors and CRLs; without them the jpki method is unavailable. */
  jpki: JpkiTrust | undefined;
  upstreams: Upstream[];
  /** Where uploaded images wait (sealed) for the operator's decision. */
  uploadsDir: string;
}

const jwkSchema = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() });
export const upstreamsFileSchema = z.strictObject({
  upstreams: z.array(
    z.strictObject({
      id: z.string().min(1).max(256),
      name: z.string().min(1).max(128),
      keys: z.array(jwkSchema).min(1),
      max_level: z.enum(ASSURANCE_LEVELS),
    }),
  ),
});

export function loadUpstreams(file: string | undefined): Upstream[] {
  if (!file) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ShomeiError('invalid_request', `cannot read the upstream KYC bodies file ${file}`);
  }
  return parseWith(upstreamsFileSchema, json, `upstream KYC bodies file ${file}`).upstreams as Upstream[];
}

export function loadJpkiTrust(
  anchorsFile: string | undefined,
  crlLocations: string[],
  refreshSeconds: number,
  load?: CrlLoader,
): JpkiTrust | undefined {
  if (!anchorsFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(anchorsFile, 'utf8');
  } catch {
    throw new ShomeiError('invalid_request', `cannot read the JPKI trust anchors file ${anchorsFile}`);
  }
  if (crlLocations.length === 0)
    throw new ShomeiError('invalid_request', 'JPKI needs at least one CRL location (revocation is always checked)');
  return {
    anchors: parsePemBundle(pem, `JPKI trust anchors file ${anchorsFile}`),
    crls: new CrlStore({ locations: crlLocations, refreshSeconds, load }),
  };
}
