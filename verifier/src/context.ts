import type { EvidenceWriter } from './evidence/evidence.js';
import type { VerifierIdentity } from './keys.js';
import type { Logger } from './log.js';
import type { Sealer } from './sealer.js';
import type { VerifierStore } from './store/types.js';
import type { VerificationSources } from './verify/sources.js';
import type { WebhookSender } from './webhooks/webhooks.js';

/**
 * What the running verifier service hands every handler: the business API, the OpenID4VP
 * endpoints and the front desk alike. Built once by `createApp`; nothing in it is per request.
 */
export interface VerifierContext extends VerificationSources {
  store: VerifierStore;
  identity: VerifierIdentity;
  sealer: Sealer;
  /** Public base URL, no trailing slash. */
  baseUrl: string;
  now: () => Date;
  log: Logger;
  requestTtlSeconds: number;
  /** After how long a claim whose verification never completed (its process died) may be taken over (default 30 s). */
  claimTimeoutSeconds?: number;
  evidence: EvidenceWriter;
  webhooks: WebhookSender;
}
