import { PROOF_TYP, type SigningKey, signJws } from '@shomei/shared';

/**
 * The OpenID4VCI key proof (§F.1): signed by the new holder key, carrying its public JWK (without
 * the vault's kid, which is meaningless to the issuer) so the credential gets bound to it.
 */
export function buildProofJwt(key: SigningKey, input: { audience: string; nonce: string | undefined; now: Date }): string {
  const { kid: _kid, ...jwk } = key.publicJwk;
  const payload: Record<string, unknown> = { aud: input.audience, iat: Math.floor(input.now.getTime() / 1000) };
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  return signJws({ typ: PROOF_TYP, alg: 'ES256', jwk }, payload, key.privateKey);
}
