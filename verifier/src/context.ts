import type { EvidenceWriter } from './evidence/evidence.js';
import type { VerifierIdentity } from './keys.js';
import type { Logger } from './log.js';
import type { Sealer } from './sealer.js';
import type { StatusListCache } from './status/status-list-cache.js';
import type { VerifierStore } from './store/types.js';
import type { VerifySettings } from './trust/trust-service.js';
import type { IssuerPolicySource, TrustStore } from './trust/trust-store.js';
import type { WebhookSender } from './webhooks/webhooks.js';

/**
 * What the running verifier service hands every handler: the business API, the OpenID4VP
 * endpoints and the front desk alike. Built once by `createApp`; nothing in it is per request.
 */
export interface VerifierContext {
  store: VerifierStore;
  identity: VerifierIdentity;
  sealer: Sealer;
  trust: Pick<TrustStore, 'resolveKey' | 'isTrusted' | 'ensureKeys'> & Partial<IssuerPolicySource> & { settings?(): VerifySettings };
  statusLists: Pick<StatusListCache, 'lookup' | 'ensure'> & Partial<Pick<StatusListCache, 'lookupEntry' | 'needsFetch'>>;
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
