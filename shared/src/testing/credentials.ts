import type { KeyPair, PublicJwk } from '../crypto/keys.js';
import { SAMPLE_IDENTITY } from '../identity/sample.js';
import { IDENTITY_VCT, type IdentityRecord, identityClaims } from '../identity/schema.js';
import { issueSdJwtVc } from '../sd-jwt-vc/issue.js';

/** An issuer's identifier and signing key, as a test holds them. */
export interface TestSigner {
  iss: string;
  kid: string;
  key: KeyPair;
}

export interface TestCredentialOptions {
  /** Default: the sample person. */
  record?: IdentityRecord;
  issuedAt: Date;
  /** Default: a year after `issuedAt`. */
  expiresAt?: Date;
  vct?: string;
  /** Index in the signer's status list `<iss>/status-lists/1` (default 7). */
  statusIdx?: number;
  /** Default IAL2. */
  assurance?: string;
  /** Marks the verification block as a sandbox one, as the issuer's sandbox does. */
  sandbox?: boolean;
}

/**
 * An identity credential shaped as the Shomei issuer makes it (claims, a verification block with
 * sandbox evidence, key binding, a status entry), signed with the test's own key. Tests of the wallet
 * and of the verifier use this one shape, so that a change to the issuer's shape is made once here.
 */
export function issueTestIdentityCredential(signer: TestSigner, holderJwk: PublicJwk, options: TestCredentialOptions): Promise<string> {
  const { issuedAt } = options;
  return issueSdJwtVc(
    { kid: signer.kid, privateKey: signer.key.privateKey, publicJwk: { ...signer.key.publicJwk, kid: signer.kid } },
    {
      issuer: signer.iss,
      vct: options.vct ?? IDENTITY_VCT,
      claims: identityClaims(options.record ?? SAMPLE_IDENTITY, issuedAt),
      visible: {
        verification: {
          trust_framework: 'jp_aml',
          assurance_level: options.assurance ?? 'IAL2',
          time: issuedAt.toISOString(),
          evidence: [{ type: 'sandbox', method: 'sandbox', time: issuedAt.toISOString() }],
          ...(options.sandbox ? { sandbox: true } : {}),
        },
      },
      holderJwk,
      status: { idx: options.statusIdx ?? 7, uri: `${signer.iss}/status-lists/1` },
      issuedAt,
      expiresAt: options.expiresAt ?? new Date(issuedAt.getTime() + 365 * 86_400_000),
      containersNotDisclosable: ['age_equal_or_over'],
    },
  );
}
