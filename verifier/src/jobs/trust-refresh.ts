import type { Job } from '@shomei/shared';
import type { TrustService } from '../trust/trust-service.js';

/** Refetches issuer keys and accreditations whose time has come (each entry keeps its own ttl). */
export function trustRefreshJob(trust: TrustService, everyMs: number): Job {
  return { name: 'trust-refresh', everyMs, runAtStart: true, run: () => trust.refreshDue() };
}
