import type { KeyVault, PublicJwk, SigningKey } from '@shomei/shared';

export const SIGNING_KEY_PURPOSE = 'issuer-signing';

export interface IssuerKeys {
  /** Every signing key, oldest first: all are published so that older credentials keep verifying. */
  all: SigningKey[];
  /** The newest key, which signs. */
  current: SigningKey;
}

/** Loads the issuer's signing keys from the vault, creating the first one on first start. */
export async function loadIssuerKeys(vault: KeyVault): Promise<IssuerKeys> {
  // Replicas starting at once on an empty database make one first key between them.
  const all = await vault.keysOrFirstFor(SIGNING_KEY_PURPOSE);
  const current = all[all.length - 1] as SigningKey;
  return { all, current };
}

/** A key as published in jwt-vc-issuer and did.json. */
export function publishedJwk(key: SigningKey): PublicJwk {
  return { ...key.publicJwk, kid: key.kid, alg: 'ES256', use: 'sig' };
}
