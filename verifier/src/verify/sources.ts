import type { StatusListCache } from '../status/status-list-cache.js';
import type { VerifySettings } from '../trust/trust-service.js';
import type { IssuerPolicySource, TrustStore } from '../trust/trust-store.js';

/**
 * What verification reads, from memory: the trusted issuers (keys, policy, algorithm and status
 * settings) and the cached status lists. The service's context carries them; the CLI builds its
 * own from a trust file or a pinned key. Prefetch fills them before a presentation is checked.
 */
export interface VerificationSources {
  trust: Pick<TrustStore, 'resolveKey' | 'isTrusted' | 'ensureKeys'> & Partial<IssuerPolicySource> & { settings?(): VerifySettings };
  statusLists: Pick<StatusListCache, 'lookup' | 'ensure'> & Partial<Pick<StatusListCache, 'lookupEntry' | 'needsFetch'>>;
}
