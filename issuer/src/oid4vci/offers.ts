import { randomUUID } from 'node:crypto';
import {
  type AssuranceLevel,
  type CredentialOffer,
  credentialOfferUri,
  IDENTITY_CONFIGURATION_ID,
  type IdentityRecord,
  PRE_AUTHORIZED_GRANT,
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
}

export interface CreatedOffer {
  offerId: string;
  offerUri: string;
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
  const expiresAt = new Date(now.getTime() + settings.offerTtlSeconds * 1000);
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
  const offer: CredentialOffer = {
    credential_issuer: baseUrl,
    credential_configuration_ids: [IDENTITY_CONFIGURATION_ID],
    grants: {
      [PRE_AUTHORIZED_GRANT]: {
        'pre-authorized_code': code,
        tx_code: {
          input_mode: 'numeric',
          length: settings.txCodeLength,
          description: `Enter the ${settings.txCodeLength}-digit code shown when this offer was made / 発行時に表示された${settings.txCodeLength}桁のコードを入力してください`,
        },
      },
    },
  };
  return { row, offerId, offerUri: credentialOfferUri(offer), txCode, expiresAt };
}

/** Records a pre-authorized credential offer for a proved identity (see prepareOffer). */
export function createOffer(deps: IssuerDeps, input: NewOfferInput): CreatedOffer {
  const { row, ...created } = prepareOffer(deps, input);
  insertOffer(deps.db, row);
  return created;
}
