import { jwkThumbprint, type PublicJwk, publicKeyFromJwk, ShomeiError, verifySdJwtVc } from '@shomei/shared';
import { type ClaimPath, disclosedView, inReadingOrder, leaves } from '../credential/claims.js';
import { type CredentialFacts, credentialFacts } from '../credential/summary.js';

export interface CheckedCredential extends CredentialFacts {
  /** Every selectively disclosable claim, as paths (`['address','locality']`). */
  claimPaths: ClaimPath[];
}

/**
 * Checks a freshly issued credential before the wallet keeps it: the issuer's signature with a
 * key from its published JWKS (matched by the header kid), `iss` the issuer we asked, the
 * expected `vct`, validity, and `cnf.jwk` being the key we just proved possession of.
 */
export async function checkIssuedCredential(
  compact: string,
  input: { issuer: string; issuerKeys: readonly PublicJwk[]; holderJwk: PublicJwk; expectedVct: string | undefined; now: Date },
): Promise<CheckedCredential> {
  const verified = await verifySdJwtVc(compact, {
    now: input.now,
    profile: 'sd-jwt-vc',
    resolveIssuerKey: (iss, header) => {
      if (iss !== input.issuer) throw new ShomeiError('untrusted_issuer', 'the credential names another issuer than the one asked');
      const candidates = typeof header.kid === 'string' ? input.issuerKeys.filter((k) => k.kid === header.kid) : input.issuerKeys;
      const [jwk, ...others] = candidates;
      if (!jwk || others.length > 0) {
        throw new ShomeiError('untrusted_issuer', "the credential's signing key is not among the issuer's published keys");
      }
      return publicKeyFromJwk(jwk);
    },
  });
  const { payload } = verified;
  if (payload.iss !== input.issuer) throw new ShomeiError('untrusted_issuer', 'the credential names another issuer than the one asked');
  if (input.expectedVct !== undefined && payload.vct !== input.expectedVct) {
    throw new ShomeiError('vct_not_allowed', 'the credential is not of the type the issuer offered');
  }
  const cnf = payload.cnf as { jwk?: PublicJwk } | undefined;
  if (!cnf?.jwk || !sameKey(cnf.jwk, input.holderJwk)) {
    throw new ShomeiError('kb_signature_invalid', "the credential is not bound to this wallet's key");
  }
  return {
    ...credentialFacts(payload),
    claimPaths: inReadingOrder(leaves(disclosedView(payload, verified.claims))).map((l) => l.path),
  };
}

function sameKey(a: PublicJwk, b: PublicJwk): boolean {
  try {
    return jwkThumbprint(a) === jwkThumbprint(b);
  } catch {
    return false;
  }
}
