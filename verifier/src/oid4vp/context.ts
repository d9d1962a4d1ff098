import type { VerifierIdentity } from '../keys.js';
import type { Logger } from '../log.js';
import type { StatusListCache } from '../status/status-list-cache.js';
import type { VerifierStore } from '../store/types.js';
import type { TrustStore } from '../trust/trust-store.js';

/** Seals personal values at rest (the KeyVault does); `aad` binds a ciphertext to its row. */
export interface Sealer {
  seal(plaintext: string, aad: string): string;
  unseal(sealed: string, aad: string): string;
}

export interface Oid4vpContext {
  store: VerifierStore;
  identity: VerifierIdentity;
  sealer: Sealer;
  trust: Pick<TrustStore, 'resolveKey' | 'isTrusted' | 'ensureKeys'>;
  statusLists: Pick<StatusListCache, 'lookup' | 'ensure'>;
  /** Public base URL, no trailing slash. */
  baseUrl: string;
  now: () => Date;
  log: Logger;
  requestTtlSeconds: number;
}

export const requestObjectUrl = (baseUrl: string, id: string): string => `${baseUrl}/oid4vp/requests/${encodeURIComponent(id)}`;
export const responseUrl = (baseUrl: string, id: string): string => `${baseUrl}/oid4vp/responses/${encodeURIComponent(id)}`;
export const resultAad = (id: string): string => `presentation-result:${id}`;
