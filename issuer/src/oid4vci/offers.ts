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
import { insertOffer } from '../store/offers.js';

export interface NewOfferInput {
  identity: IdentityRecord;
  assuranceLevel: AssuranceLevel;
  /** OIDC Identity Assurance evidence `type` and `method` of the proofing behind this offer. */
  evidence: { type: string; method: string };
  /** When the identity was proved. */
  proofedAt: Date;
  sandbox: boolean;
}

export interface CreatedOffer {
  offerId: string;
  offerUri: string;
  /** Shown to the person out of band; never stored in clear. */
  txCode: string;
  expiresAt: Date;
}

/**
 * Records a pre-authorized credential offer for a proved identity. The code and tx_code are kept
 * only as digests and the identity record only sealed under the key vault (bound to the offer id).
 */
export function createOffer(deps: IssuerDeps, input: NewOfferInput): CreatedOffer {
  const { settings, baseUrl } = deps;
  const now = deps.now();
  const offerId = randomUUID();
  const code = randomToken();
  const txCode = randomDigits(settings.txCodeLength);
  const expiresAt = new Date(now.getTime() + settings.offerTtlSeconds * 1000);
  insertOffer(deps.db, {
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
  });
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
  return { offerId, offerUri: credentialOfferUri(offer), txCode, expiresAt };
}
