import {
  buildDidDocument,
  DID_CLIENT_ID_PREFIX,
  type DidDocument,
  didWebForOrigin,
  type KeyVault,
  type PublicJwk,
  type SigningKey,
} from '@shomei/shared';

export const REQUEST_SIGNING_PURPOSE = 'verifier-request-signing';

export interface VerifierIdentity {
  did: string;
  /** OpenID4VP client identifier: `decentralized_identifier:<did>`. */
  clientId: string;
  key: SigningKey;
  /** `kid` of signed request objects: the DID URL of the verification method. */
  verificationMethodId: string;
  didDocument: DidDocument;
}

/**
 * The key that signs request objects is created in the vault on first start and reused after;
 * the DID follows the public URL, so moving the service to another origin changes its DID.
 */
export async function loadVerifierIdentity(vault: KeyVault, baseUrl: string): Promise<VerifierIdentity> {
  // Replicas starting at once on an empty database make one key between them, and all use the oldest.
  const [key] = await vault.keysOrFirstFor(REQUEST_SIGNING_PURPOSE);
  return identityFor(key as SigningKey, baseUrl);
}

export function identityFor(key: SigningKey, baseUrl: string): VerifierIdentity {
  const did = didWebForOrigin(baseUrl);
  const jwk: PublicJwk = { ...key.publicJwk, kid: key.kid, alg: 'ES256', use: 'sig' };
  return {
    did,
    clientId: `${DID_CLIENT_ID_PREFIX}${did}`,
    key,
    verificationMethodId: `${did}#${key.kid}`,
    didDocument: buildDidDocument(did, [jwk]),
  };
}
