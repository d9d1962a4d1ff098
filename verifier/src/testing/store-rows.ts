import type { PresentationRequestRow } from '../store/types.js';

/**
 * A pending age-check request ('req-1' of 'client-1') created at `createdAt` and expiring five minutes later, as
 * the store tests insert it; `over` changes any field. The store contract and the abandoned-claims test both
 * start from this row.
 */
export function pendingRequestRow(createdAt: number, over: Partial<PresentationRequestRow> = {}): PresentationRequestRow {
  return {
    id: 'req-1',
    clientId: 'client-1',
    preset: 'age_over_20',
    paths: [['age_equal_or_over', '20']],
    purpose: 'age check',
    nonce: 'nonce',
    state: 'state',
    status: 'pending',
    createdAt,
    expiresAt: createdAt + 300_000,
    completedAt: null,
    sealedResult: null,
    policy: null,
    sealedRecord: null,
    ...over,
  };
}
