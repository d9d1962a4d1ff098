// The identity credential's shape, for the online endpoint and the batch signer alike. Deep imports
// only: the batch's signing threads load this module, and they should not load all of shared.

// Types only (erased): the root export is not loaded at run time.
import type { IssueSdJwtVcInput, SdAlg } from '@shomei/shared';
import type { PublicJwk } from '@shomei/shared/crypto';
import { type AssuranceLevel, type Evidence, IDENTITY_VCT, type IdentityRecord, identityClaims } from '@shomei/shared/identity';

/** How the identity behind a credential was proved: what its `verification` claim says. */
export interface ProofingFacts {
  level: AssuranceLevel;
  /** OIDC Identity Assurance evidence `type` and `method`. */
  evidenceType: string;
  evidenceMethod: string;
  /** When the identity was proved (epoch milliseconds). */
  proofedAt: number;
  /** Sandbox credentials say so in their evidence. */
  sandbox?: boolean;
}

/** Everything one identity credential is made of, apart from the key that signs it. */
export interface IdentityCredentialSpec {
  issuer: string;
  identity: IdentityRecord;
  proofing: ProofingFacts;
  holderJwk: PublicJwk;
  status: { idx: number; uri: string };
  issuedAt: Date;
  expiresAt: Date;
  sdAlg: SdAlg;
}

/**
 * The always-visible `verification` claim (OpenID Connect for Identity Assurance names). The
 * member order is part of the credential's bytes: keep it.
 */
export function verificationEvidence(proofing: ProofingFacts): Evidence {
  const time = secondsIso(proofing.proofedAt);
  const evidence: Evidence = {
    trust_framework: 'jp_aml',
    assurance_level: proofing.level,
    time,
    evidence: [{ type: proofing.evidenceType, method: proofing.evidenceMethod, time }],
  };
  if (proofing.sandbox) evidence.sandbox = true;
  return evidence;
}

/**
 * The SD-JWT VC input for an identity credential: disclosable identity claims, the visible
 * evidence, the holder binding and the status entry. Both signers (`issueSdJwtVc` online,
 * `issueSdJwtVcFast` in a batch) take this same input, so both paths issue the same credential.
 */
export function identityCredentialInput(spec: IdentityCredentialSpec): IssueSdJwtVcInput {
  return {
    issuer: spec.issuer,
    vct: IDENTITY_VCT,
    claims: identityClaims(spec.identity, spec.issuedAt),
    visible: { verification: verificationEvidence(spec.proofing) },
    holderJwk: spec.holderJwk,
    status: spec.status,
    issuedAt: spec.issuedAt,
    expiresAt: spec.expiresAt,
    containersNotDisclosable: ['age_equal_or_over'],
    sdAlg: spec.sdAlg,
  };
}

/**
 * A time as ISO 8601 to the second (`2026-10-01T00:00:00Z`), milliseconds dropped. Rows of a batch
 * often share their proofing time, so the last one is kept.
 */
let lastSecond = Number.NaN;
let lastIso = '';
function secondsIso(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastIso = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  }
  return lastIso;
}
