import {
  ALL_JWS_ALGS,
  httpFetch,
  type JwsAlg,
  parseJws,
  parseWith,
  ShomeiError,
  STATUS_LIST_TYP,
  StatusList,
  verifyJwsSignature,
} from '@shomei/shared';
import { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';
import type { IssuerKeyResolver } from '../trust/trust-store.js';

/** What verification needs from status lists: a list, synchronously, from memory. */
export interface StatusListLookup {
  /** The cached list at `uri` signed by `iss`, if one is usable at `now`. */
  lookup(uri: string, iss: string, now: Date): StatusList | undefined;
  /** The same, saying whether the list is stale: past its ttl (plus `staleAfterSeconds`) because refreshes failed. */
  lookupEntry?(uri: string, iss: string, now: Date): { list: StatusList; stale: boolean } | undefined;
}

const statusListPayloadSchema = z.looseObject({
  sub: z.string(),
  iss: z.string().optional(),
  iat: z.number(),
  exp: z.number().optional(),
  ttl: z.number().positive().optional(),
  status_list: z.looseObject({ bits: z.number().int(), lst: z.string().min(1) }),
});

export interface VerifiedStatusList {
  list: StatusList;
  iat: number;
  exp: number | undefined;
  ttl: number | undefined;
}

// Status lists are signed with the issuer's credential key, so the same algorithms apply (never none or HMAC).
const STATUS_LIST_ALGS: readonly JwsAlg[] = ALL_JWS_ALGS;

/**
 * Checks a status list token (IETF Token Status List): typ `statuslist+jwt`, signed by a trusted
 * key of the credential's issuer, `sub` equal to the URI the credential references, not expired.
 */
export function verifyStatusListToken(
  token: string,
  expected: { uri: string; iss: string; now: Date; trust: IssuerKeyResolver; maxBytes?: number },
): VerifiedStatusList {
  const jws = parseJws(token.trim());
  if (jws.header.typ !== STATUS_LIST_TYP) throw new ShomeiError('malformed', `status list token typ must be ${STATUS_LIST_TYP}`);
  verifyJwsSignature(jws, expected.trust.resolveKey(expected.iss, jws.header), { allowed: STATUS_LIST_ALGS });
  const p = parseWith(statusListPayloadSchema, jws.payload, 'status list token', 'malformed');
  if (p.sub !== expected.uri) throw new ShomeiError('malformed', 'status list token sub is not the referenced URI');
  if (p.iss !== undefined && p.iss !== expected.iss)
    throw new ShomeiError('malformed', 'status list token iss is not the credential issuer');
  if (p.exp !== undefined && Math.floor(expected.now.getTime() / 1000) >= p.exp) {
    throw new ShomeiError('expired', 'the status list token has expired');
  }
  const list = StatusList.decode(p.status_list.bits, p.status_list.lst, expected.maxBytes);
  return { list, iat: p.iat, exp: p.exp, ttl: p.ttl };
}

interface CacheEntry {
  iss: string;
  list: StatusList;
  /** Epoch ms after which a refresh is due. */
  refreshAt: number;
  /** Epoch ms after which the list is no longer used at all. */
  usableUntil: number;
  /** Tick of the last lookup or store: the lowest is evicted first (least recently used). */
  lastUsed: number;
}

/** Defaults of the cache bounds (README: SHOMEI_VERIFIER_STATUS_CACHE_LISTS / _MIB). */
export const DEFAULT_MAX_STATUS_LISTS = 256;
export const DEFAULT_MAX_STATUS_BYTES = 256 * 1024 * 1024;
/** Failed URIs remembered for their cooldown; past this the oldest failure is forgotten. */
const MAX_REMEMBERED_FAILURES = 1024;

export interface StatusListCacheOptions {
  trust: IssuerKeyResolver;
  now: () => Date;
  log?: Logger;
  /** Cache lifetime when a token carries no `ttl` (default 300 s). */
  defaultTtlSeconds?: number;
  /** Upper bound on an issuer's `ttl` (default 1 day). */
  maxTtlSeconds?: number;
  /** How long a list past its ttl is still used while refreshes fail; never past the token's exp (default 3600 s). */
  staleGraceSeconds?: number;
  /** After a failed fetch, how long before another attempt for that URI (default 10 s). */
  failureCooldownSeconds?: number;
  /** How long past its ttl a list still counts as fresh while the background refresh runs (default 60 s). */
  staleAfterSeconds?: number;
  /**
   * At most this many lists are held (default 256), and at most `maxTotalBytes` of them inflated
   * (default 256 MiB): any trusted issuer can reference as many lists as it likes, so past either
   * bound the least recently used list is dropped (a later verification fetches it again).
   */
  maxLists?: number;
  maxTotalBytes?: number;
}

/**
 * Status lists by URI, fetched before verification (`ensure`, or `refreshDue` from a timer) and
 * read synchronously during it (`lookup`). Stale policy: a list is refreshed once its ttl has
 * passed; if the refresh fails the old list stays in use for `staleGraceSeconds`, but never
 * past the token's own `exp`. Beyond that, and for a list never fetched, verification reports
 * `status_unavailable`.
 */
export class StatusListCache implements StatusListLookup {
  private readonly entries = new Map<string, CacheEntry>();
  /** Inflated bytes of all cached lists. */
  private totalBytes = 0;
  private tick = 0;
  private readonly failures = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly log: Logger;

  constructor(private readonly options: StatusListCacheOptions) {
    this.log = options.log ?? silentLogger;
  }

  get policy(): { defaultTtlSeconds: number; maxTtlSeconds: number; staleGraceSeconds: number } {
    return {
      defaultTtlSeconds: this.options.defaultTtlSeconds ?? 300,
      maxTtlSeconds: this.options.maxTtlSeconds ?? 86_400,
      staleGraceSeconds: this.options.staleGraceSeconds ?? 3600,
    };
  }

  lookup(uri: string, iss: string, now: Date): StatusList | undefined {
    return this.lookupEntry(uri, iss, now)?.list;
  }

  lookupEntry(uri: string, iss: string, now: Date): { list: StatusList; stale: boolean } | undefined {
    const entry = this.entries.get(uri);
    if (!entry || entry.iss !== iss || now.getTime() >= entry.usableUntil) return undefined;
    entry.lastUsed = ++this.tick;
    return { list: entry.list, stale: now.getTime() >= entry.refreshAt + (this.options.staleAfterSeconds ?? 60) * 1000 };
  }

  /** Whether `ensure(uri, iss)` would fetch: no usable copy, or its ttl has passed. Memory only. */
  needsFetch(uri: string, iss: string): boolean {
    const entry = this.entries.get(uri);
    return !entry || entry.iss !== iss || this.options.now().getTime() >= entry.refreshAt;
  }

  get bounds(): { maxLists: number; maxTotalBytes: number } {
    return {
      maxLists: this.options.maxLists ?? DEFAULT_MAX_STATUS_LISTS,
      maxTotalBytes: this.options.maxTotalBytes ?? DEFAULT_MAX_STATUS_BYTES,
    };
  }

  /** How many lists are held and their inflated bytes (diagnostics, tests). */
  get usage(): { lists: number; bytes: number } {
    return { lists: this.entries.size, bytes: this.totalBytes };
  }

  /** URIs of the cached lists (for the background refresher and diagnostics). */
  uris(): string[] {
    return [...this.entries.keys()];
  }

  /** Verifies a status list token and caches it (what `ensure` does after fetching; also for offline loading). */
  ingest(uri: string, iss: string, token: string): void {
    const now = this.options.now();
    const { maxLists, maxTotalBytes } = this.bounds;
    // One list may take the whole budget, never more: a list declares its size only by inflating.
    const verified = verifyStatusListToken(token, { uri, iss, now, trust: this.options.trust, maxBytes: maxTotalBytes });
    const { defaultTtlSeconds, maxTtlSeconds, staleGraceSeconds } = this.policy;
    const ttlMs = Math.min(verified.ttl ?? defaultTtlSeconds, maxTtlSeconds) * 1000;
    const refreshAt = now.getTime() + ttlMs;
    const graceEnd = refreshAt + staleGraceSeconds * 1000;
    const usableUntil = verified.exp === undefined ? graceEnd : Math.min(graceEnd, verified.exp * 1000);
    this.drop(uri);
    const bytes = verified.list.bytes.length;
    while (this.entries.size > 0 && (this.entries.size >= maxLists || this.totalBytes + bytes > maxTotalBytes)) this.evictOne();
    this.entries.set(uri, { iss, list: verified.list, refreshAt, usableUntil, lastUsed: ++this.tick });
    this.totalBytes += bytes;
  }

  private drop(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    this.entries.delete(uri);
    this.totalBytes -= entry.list.bytes.length;
  }

  /** Drops the least recently used list (a scan: eviction is on the fetch path, never on the hot path). */
  private evictOne(): void {
    let victim: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [uri, e] of this.entries) {
      if (e.lastUsed < oldest) {
        oldest = e.lastUsed;
        victim = uri;
      }
    }
    if (victim !== undefined) this.drop(victim);
  }

  /** Fetches the list at `uri` unless a fresh copy is cached; failures are logged, never thrown. */
  async ensure(uri: string, iss: string): Promise<void> {
    const now = this.options.now().getTime();
    const entry = this.entries.get(uri);
    if (entry && entry.iss === iss && now < entry.refreshAt) return;
    const failedAt = this.failures.get(uri);
    if (failedAt !== undefined && now - failedAt < (this.options.failureCooldownSeconds ?? 10) * 1000) return;
    let pending = this.inflight.get(uri);
    if (!pending) {
      pending = this.fetchList(uri, iss).finally(() => this.inflight.delete(uri));
      this.inflight.set(uri, pending);
    }
    await pending;
  }

  /** Refreshes every cached list whose ttl has passed. */
  async refreshDue(): Promise<void> {
    const now = this.options.now().getTime();
    const due = [...this.entries].filter(([, e]) => now >= e.refreshAt);
    await Promise.all(due.map(([uri, e]) => this.ensure(uri, e.iss)));
  }

  private async fetchList(uri: string, iss: string): Promise<void> {
    const where = safeOrigin(uri);
    try {
      const res = await httpFetch(uri, { headers: { accept: 'application/statuslist+jwt' }, maxBytes: 4 * 1024 * 1024, timeoutMs: 5000 });
      if (res.status !== 200) throw new ShomeiError('upstream_unavailable', `answered HTTP ${res.status}`);
      this.ingest(uri, iss, res.body);
      this.failures.delete(uri);
    } catch (e) {
      this.failures.delete(uri);
      if (this.failures.size >= MAX_REMEMBERED_FAILURES) this.failures.delete(this.failures.keys().next().value as string);
      this.failures.set(uri, this.options.now().getTime());
      const why = e instanceof ShomeiError ? `${e.code}: ${e.message}` : 'unexpected error';
      this.log.warn(`status: fetching a status list from ${where} failed (${why})`);
    }
  }
}

function safeOrigin(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return '(invalid URL)';
  }
}
