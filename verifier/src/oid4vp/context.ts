import type { EvidenceWriter } from '../evidence/evidence.js';
import type { VerifierIdentity } from '../keys.js';
import type { Logger } from '../log.js';
import type { StatusListCache } from '../status/status-list-cache.js';
import type { VerifierStore } from '../store/types.js';
import type { VerifySettings } from '../trust/trust-service.js';
import type { IssuerPolicySource, TrustStore } from '../trust/trust-store.js';
import type { WebhookSender } from '../webhooks/webhooks.js';

/** Seals personal values at rest (the KeyVault does); `aad` binds a ciphertext to its row. */
export interface Sealer {
  seal(plaintext: string, aad: string): string;
  unseal(sealed: string, aad: string): string;
}

export interface Oid4vpContext {
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

export const requestObjectUrl = (baseUrl: string, id: string): string => `${baseUrl}/oid4vp/requests/${encodeURIComponent(id)}`;
export const responseUrl = (baseUrl: string, id: string): string => `${baseUrl}/oid4vp/responses/${encodeURIComponent(id)}`;
export const resultAad = (id: string): string => `presentation-result:${id}`;
