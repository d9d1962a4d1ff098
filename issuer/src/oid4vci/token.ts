import { PRE_AUTHORIZED_GRANT, parseWith, ShomeiError, tokenRequestSchema } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { matchesDigest, randomToken, sha256 } from '../lib/secrets.js';
import { countWrongTxCode, findOfferByCodeHash, redeemOffer } from '../store/offers.js';
import { deleteExpiredAccessTokens, insertAccessToken } from '../store/tokens.js';
import { createNonce } from './nonce.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /**
   * A c_nonce for the first key proof, as drafts 13–14 §6.2 return it: wallets of those drafts
   * know no nonce endpoint. OpenID4VCI 1.0 clients ignore it (RFC 6749 §5.1: unknown parameters
   * are ignored); it is a nonce like the nonce endpoint's, single use and short-lived.
   */
  c_nonce: string;
  c_nonce_expires_in: number;
}

/** Parses a token request body (form fields); a repeated parameter is refused (RFC 6749 §3.2). */
export function parseTokenRequest(form: URLSearchParams): { code: string; txCode: string | undefined } {
  const fields: Record<string, string> = {};
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) throw new ShomeiError('invalid_request', `parameter ${name} is repeated`);
    fields[name] = form.get(name) as string;
  }
  if (fields.grant_type !== undefined && fields.grant_type !== PRE_AUTHORIZED_GRANT) {
    throw new ShomeiError('invalid_request', `grant_type must be ${PRE_AUTHORIZED_GRANT}`);
  }
  const req = parseWith(tokenRequestSchema, fields, 'token request');
  return { code: req['pre-authorized_code'], txCode: req.tx_code };
}

/**
 * Redeems a pre-authorized code (OpenID4VCI 1.0 §6). The code is single use; a wrong tx_code
 * counts against a small budget after which the code is dead; messages say how many attempts are
 * left but never echo the code or tx_code.
 */
export async function redeemPreAuthorizedCode(deps: IssuerDeps, code: string, txCode: string | undefined): Promise<TokenResponse> {
  const { sql, settings } = deps;
  const now = deps.now().getTime();
  const offer = await findOfferByCodeHash(sql, sha256(code));
  if (!offer) throw new ShomeiError('invalid_grant', 'the pre-authorized code is not known');
  if (offer.redeemed_at !== null) throw new ShomeiError('invalid_grant', 'the pre-authorized code has already been used');
  if (offer.expires_at <= now) throw new ShomeiError('invalid_grant', 'the pre-authorized code has expired');
  if (offer.tx_attempts >= settings.txCodeMaxAttempts) {
    throw new ShomeiError('invalid_grant', 'the pre-authorized code is no longer valid: too many wrong tx_code attempts');
  }
  if (offer.tx_code_hash === null) {
    if (txCode !== undefined) throw new ShomeiError('invalid_request', 'this pre-authorized code takes no tx_code');
  } else {
    if (txCode === undefined) throw new ShomeiError('invalid_request', 'tx_code is required for this pre-authorized code');
    if (!matchesDigest(txCode, offer.tx_code_hash)) {
      const attempts = (await countWrongTxCode(sql, offer.id, settings.txCodeMaxAttempts)) ?? settings.txCodeMaxAttempts;
      const left = Math.max(0, settings.txCodeMaxAttempts - attempts);
      if (left === 0) {
        deps.log(
          `${offer.sandbox ? '[sandbox] ' : ''}offer ${offer.id} is dead after ${settings.txCodeMaxAttempts} wrong tx_code attempts`,
        );
      }
      throw new ShomeiError(
        'invalid_grant',
        left > 0
          ? `tx_code is wrong; ${left} attempt${left === 1 ? '' : 's'} left`
          : 'tx_code is wrong; no attempts left, the pre-authorized code is no longer valid',
        { details: { attempts_left: left } },
      );
    }
  }
  const accessToken = randomToken();
  const ttl = settings.accessTokenTtlSeconds;
  await sql.transaction(async (tx) => {
    // One conditional UPDATE: of two requests with the same code, on any replica, one wins.
    if (!(await redeemOffer(tx, offer.id, now, settings.txCodeMaxAttempts))) {
      throw new ShomeiError('invalid_grant', 'the pre-authorized code has already been used or is no longer valid');
    }
    await deleteExpiredAccessTokens(tx, now);
    await insertAccessToken(tx, { token_hash: sha256(accessToken), offer_id: offer.id, created_at: now, expires_at: now + ttl * 1000 });
  });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttl,
    c_nonce: await createNonce(deps),
    c_nonce_expires_in: settings.nonceTtlSeconds,
  };
}
