import { identityRecordSchema, parseWith } from '@shomei/shared';
import { z } from 'zod';
import type { IssuerDeps } from '../deps.js';
import { createOffer } from '../issuance/offers.js';

export const sandboxOfferRequestSchema = z.strictObject({
  identity: identityRecordSchema,
  // The sandbox proves nothing, so it may not claim the highest level.
  assurance_level: z.enum(['IAL1', 'IAL2']).default('IAL2'),
});

export interface SandboxOfferResponse {
  sandbox: true;
  offer_uri: string;
  /** The same offer by reference (`credential_offer_uri`), for wallets or QR codes that prefer a short URI. */
  offer_uri_by_reference: string;
  tx_code: string;
  expires_at: string;
}

/**
 * Makes a credential offer for an identity that nobody proved: for development and demos only.
 * Its credentials carry `sandbox: true` in their evidence, which verifiers may refuse.
 */
export async function createSandboxOffer(deps: IssuerDeps, body: unknown): Promise<SandboxOfferResponse> {
  const input = parseWith(sandboxOfferRequestSchema, body, 'sandbox offer request');
  const now = deps.now();
  const offer = await createOffer(deps, {
    identity: input.identity,
    assuranceLevel: input.assurance_level,
    evidence: { type: 'sandbox', method: 'sandbox' },
    proofedAt: now,
    sandbox: true,
  });
  deps.log(`[sandbox] offer ${offer.offerId} created (${input.assurance_level}), expires ${offer.expiresAt.toISOString()}`);
  return {
    sandbox: true,
    offer_uri: offer.offerUri,
    offer_uri_by_reference: offer.offerUriByReference,
    tx_code: offer.txCode,
    expires_at: offer.expiresAt.toISOString(),
  };
}
