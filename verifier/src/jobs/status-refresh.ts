import type { Job } from '@shomei/shared';
import type { StatusListCache } from '../status/status-list-cache.js';

/** Refetches cached status lists past their ttl, so that a verification rarely waits on one. */
export function statusRefreshJob(statusLists: StatusListCache, everyMs: number): Job {
  return { name: 'status-refresh', everyMs, run: () => statusLists.refreshDue() };
}
