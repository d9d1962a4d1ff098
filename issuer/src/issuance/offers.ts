import { randomUUID } from 'node:crypto';
import {
  type AssuranceLevel,
  type CredentialOffer,
  credentialOfferByReferenceUri,
  credentialOfferUri,
  IDENTITY_CONFIGURATION_ID,
  type IdentityRecord,
  PRE_AUTHORIZED_GRANT,
  type SqlExecutor,
} from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { randomDigits, randomToken, sha256 } from '../lib/secrets.js';
import { insertOffer, type NewOffer } from '../store/offers.js';

export interface NewOfferInput {
  identity: IdentityRecord;
  assuranceLevel: AssuranceLevel;
  /** OIDC Identity Assurance evidence `type` and `method` of the proofing behind this offer. */
  evidence: { type: string; method: string };
  /** When the identity was proved. */
  proofedAt: Date;
  sandbox: boolean;
  /** The application behind the offer, if it came from identity proofing. */
  applicationId?: string;
  /** How long the offer may be redeemed (default `settings.offerTtlSeconds`; batch letters need days). */
  ttlSeconds?: number;
}

export interface CreatedOffer {
  offerId: string;
  /** The offer by value: `openid-credential-offer://?credential_offer=…`. */
  offerUri: string;
  /**
   * The same offer by reference: `…?credential_offer_uri=<issuer>/credential-offer/<code>`. It
   * carries the same secret (the pre-authorized code) as the by-value URI and nothing new is stored.
   */
  offerUriByReference: string;
  /** Shown to the person out of band; never stored in clear. */
  txCode: string;
  expiresAt: Date;
}

/** An offer ready to be recorded: its row and what the person is given (code in the URI, tx_code). */
export interface PreparedOffer extends CreatedOffer {
  row: NewOffer;
}

/**
 * Prepares a pre-authorized credential offer for a proved identity without recording it, so that
 * a batch can hand the offer out (write it to its output) before committing the row. The code
 * and tx_code are kept only as digests and the identity record only sealed under the key vault
 * (bound to the offer id).
 */
export function prepareOffer(deps: IssuerDeps, input: NewOfferInput): PreparedOffer {
  const { settings, baseUrl } = deps;
  const now = deps.now();
  const offerId = randomUUID();
  const code = randomToken();
  const txCode = randomDigits(settings.txCodeLength);
  const expiresAt = new Date(now.getTime() + (input.ttlSeconds ?? settings.offerTtlSeconds) * 1000);
  const row: NewOffer = {
    id: offerId,
    code_hash: sha256(code),
    tx_code_hash: sha256(txCode),
    identity_sealed: deps.vault.seal(JSON.stringify(input.identity), offerId),
    assurance_level: input.assuranceLevel,
    evidence_type: input.evidence.type,
    evidence_method: input.evidence.method,
    sandbox: input.sandbox ? 1 : 0,
    proofed_at: input.proofedAt.getTime(),
    created_at: now.getTime(),
    expires_at: expiresAt.getTime(),
    application_id: input.applicationId ?? null,
  };
  const offer = credentialOfferFor(deps, code, true);
  return {
    row,
    offerId,
    offerUri: credentialOfferUri(offer),
    offerUriByReference: credentialOfferByReferenceUri(offerByReferenceUrl(baseUrl, code)),
    txCode,
    expiresAt,
  };
}

/** Where the by-reference offer for `code` is served (see offer-by-reference.ts). */
export function offerByReferenceUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/credential-offer/${encodeURIComponent(code)}`;
}

/** The credential offer object (OpenID4VCI 1.0 §4.1.1) for a pre-authorized code. */
export function credentialOfferFor(deps: IssuerDeps, code: string, withTxCode: boolean): CredentialOffer {
  const { settings, baseUrl } = deps;
  const grant: CredentialOffer['grants'][typeof PRE_AUTHORIZED_GRANT] = { 'pre-authorized_code': code };
  if (withTxCode) {
    grant.tx_code = {
      input_mode: 'numeric',
      length: settings.txCodeLength,
      description: `Enter the ${settings.txCodeLength}-digit code shown when this offer was made / 発行時に表示された${settings.txCodeLength}桁のコードを入力してください`,
    };
  }
  return {
    credential_issuer: baseUrl,
    credential_configuration_ids: [IDENTITY_CONFIGURATION_ID],
    grants: { [PRE_AUTHORIZED_GRANT]: grant },
  };
}

/** Records a pre-authorized credential offer for a proved identity (see prepareOffer). */
export async function createOffer(deps: IssuerDeps, input: NewOfferInput, tx: SqlExecutor = deps.sql): Promise<CreatedOffer> {
  const { row, ...created } = prepareOffer(deps, input);
  await insertOffer(tx, row);
  return created;
}
