import { type CredentialOffer, ShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { credentialOfferFor } from '../issuance/offers.js';
import { sha256 } from '../lib/secrets.js';
import { findOfferByCodeHash } from '../store/offers.js';

/** Longer than any code this issuer makes (randomToken: 43 characters); nothing longer is hashed. */
const MAX_CODE_LENGTH = 512;

/**
 * The credential offer behind `credential_offer_uri` (OpenID4VCI 1.0 §4.1.3). The pre-authorized
 * code is stored only as a SHA-256 digest, so the URI carries the code itself: the offer is found
 * by the code's digest and rebuilt, and nothing beyond the by-value offer is stored. The by-reference
 * URI is exactly as secret as the by-value one. Unknown, expired, redeemed and dead offers all get
 * the same 404, so that a caller learns nothing about codes it does not hold.
 */
export async function offerByReference(deps: IssuerDeps, code: string): Promise<CredentialOffer> {
  const now = deps.now().getTime();
  const row = code.length > 0 && code.length <= MAX_CODE_LENGTH ? await findOfferByCodeHash(deps.sql, sha256(code)) : undefined;
  const usable = row && row.redeemed_at === null && row.expires_at > now && row.tx_attempts < deps.settings.txCodeMaxAttempts;
  if (!row || !usable) {
    throw new ShomeiError('not_found', 'no credential offer under this code: it is unknown, expired or already redeemed');
  }
  return credentialOfferFor(deps, code, row.tx_code_hash !== null);
}
