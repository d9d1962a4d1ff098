import { ShomeiError } from '@shomei/shared';
import type { StatusListCacheOptions } from './status-list-cache.js';

export type StatusCacheBounds = Pick<StatusListCacheOptions, 'maxLists' | 'maxTotalBytes'>;

/**
 * The status-list cache bounds from the environment: SHOMEI_VERIFIER_STATUS_CACHE_LISTS (how many
 * lists, default 256) and SHOMEI_VERIFIER_STATUS_CACHE_MIB (their inflated size together, default 256).
 */
export function statusCacheBoundsFromEnv(env: Record<string, string | undefined>): StatusCacheBounds {
  const bounds: StatusCacheBounds = {};
  const lists = positiveInteger(env.SHOMEI_VERIFIER_STATUS_CACHE_LISTS, 'SHOMEI_VERIFIER_STATUS_CACHE_LISTS');
  const mib = positiveInteger(env.SHOMEI_VERIFIER_STATUS_CACHE_MIB, 'SHOMEI_VERIFIER_STATUS_CACHE_MIB');
  if (lists !== undefined) bounds.maxLists = lists;
  if (mib !== undefined) bounds.maxTotalBytes = mib * 1024 * 1024;
  return bounds;
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new ShomeiError('invalid_request', `${name} must be a whole number >= 1`);
  return n;
}
