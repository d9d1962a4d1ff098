import type { KeyObject } from 'node:crypto';
import {
  type AssuranceLevel,
  Backoff,
  defaultOutboundPolicy,
  didWebForOrigin,
  httpFetch,
  type OutboundPolicy,
  publicKeyFromJwk,
  ShomeiError,
  STATUS,
} from '@shomei/shared';
import { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';
import { StatusListCache } from '../status/status-list-cache.js';
import type { IssuerPolicy } from '../trust/trust-store.js';
import { type Accreditation, jwkOfDidJwk, verifyAccreditation } from './credential.js';
import type { VerifyingAgent } from './veramo.js';

export const ACCREDITATIONS_PATH = '/.well-known/shomei-accreditations';
/** Origins never seen before that are looked up per minute, whatever the presentations name. */
export const MAX_NEW_ORIGINS_PER_MINUTE = 30;
const MAX_ORIGINS = 1000;
const MAX_ISSUERS = 1000;
/** A failed origin waits 1 min, then 2, 4 … up to 1 h; a day without a failure forgets it. */
export const ACCREDITATION_BACKOFF = { baseMs: 60_000, maxMs: 3_600_000, forgetAfterMs: 86_400_000, maxKeys: MAX_ORIGINS } as const;
const bodySchema = z.object({ accreditations: z.array(z.string().max(16 * 1024)).max(32) });

/** What one origin published at `/.well-known/shomei-accreditations` when last fetched. */
interface OriginDocument {
  jwts: string[];
  fetchedAt: number;
}

interface IssuerAccreditations {
  origin: string;
  /** The document these were verified from: a newer copy of the origin's document is verified again. */
  from: OriginDocument;
  accreditations: Accreditation[];
  /** Why none was accepted, for the result message. */
  reason: string;
}

export interface AccreditationRegistryOptions {
  anchors: readonly string[];
  now: () => Date;
  log?: Logger;
  /** How long an origin's published accreditations are cached (default 600 s); accredited origins are refreshed then. */
  ttlSeconds?: number;
  staleAfterSeconds?: number;
  /** The outbound-fetch policy (default: the process's, from its environment). */
  policy?: OutboundPolicy;
}

/**
 * Issuers admitted by trust anchors. `ensure(iss)` (background / cold path) fetches the
 * `/.well-known/shomei-accreditations` of the issuer's origin, verifies each VC-JWT with Veramo
 * against the issuer's did:web, and loads the anchor's status list; `policyFor(iss, now)` answers
 * from memory on the hot path: an issuer holding a valid, unexpired, unrevoked accreditation, with
 * the types and the highest level it grants.
 *
 * A presentation names its own `iss`, so this is where an outsider could try to steer the
 * verifier's traffic. What bounds it: only an origin the outbound policy allows is looked up
 * (https on an allowed port, a public address; checked before the lookup, and again after DNS);
 * one document per origin, whatever the path; an origin is fetched again only when its copy is
 * older than the TTL, a failed one only after its back-off window (1 min doubling to 1 h); only
 * origins that hold an accreditation are refreshed in the background; at most 30 new origins a
 * minute and 1,000 remembered.
 */
export class AccreditationRegistry {
  private readonly byIssuer = new Map<string, IssuerAccreditations>();
  private readonly origins = new Map<string, OriginDocument>();
  private readonly failures = new Backoff(ACCREDITATION_BACKOFF);
  private readonly inflight = new Map<string, Promise<void>>();
  /** Veramo is loaded on first use: a verifier without anchors (and the CLI) never pays for it. */
  private agent: Promise<VerifyingAgent> | undefined;
  private readonly anchorKeys = new Map<string, KeyObject>();
  readonly statusLists: StatusListCache;
  private readonly log: Logger;
  private readonly policy: OutboundPolicy;
  private anchors: readonly string[];

  constructor(private readonly options: AccreditationRegistryOptions) {
    this.log = options.log ?? silentLogger;
    this.anchors = options.anchors;
    this.policy = options.policy ?? defaultOutboundPolicy();
    this.statusLists = new StatusListCache({
      trust: { resolveKey: (iss) => this.anchorKey(iss) },
      now: options.now,
      log: this.log,
      staleAfterSeconds: options.staleAfterSeconds,
    });
  }

  setAnchors(anchors: readonly string[]): void {
    this.anchors = anchors;
    this.byIssuer.clear();
    this.origins.clear();
  }

  get anchorCount(): number {
    return this.anchors.length;
  }

  private anchorKey(did: string): KeyObject {
    if (!this.anchors.includes(did)) throw new ShomeiError('untrusted_issuer', 'not a configured anchor');
    let key = this.anchorKeys.get(did);
    if (!key) {
      key = publicKeyFromJwk(jwkOfDidJwk(did));
      this.anchorKeys.set(did, key);
    }
    return key;
  }

  /** Whether `iss` holds an accreditation that was valid when last fetched (revocation aside). */
  has(iss: string): boolean {
    return (this.byIssuer.get(iss)?.accreditations.length ?? 0) > 0;
  }

  private newOriginFetches: number[] = [];

  /** At most `MAX_NEW_ORIGINS_PER_MINUTE` origins never seen before are looked up per minute. */
  private admitNewOrigin(now: number): boolean {
    this.newOriginFetches = this.newOriginFetches.filter((t) => now - t < 60_000);
    if (this.newOriginFetches.length >= MAX_NEW_ORIGINS_PER_MINUTE) return false;
    this.newOriginFetches.push(now);
    return true;
  }

  private ttlMs(): number {
    return (this.options.ttlSeconds ?? 600) * 1000;
  }

  /** The issuer's origin if the outbound policy could fetch from it at all (no traffic to find out). */
  private lookupOrigin(iss: string): string | undefined {
    try {
      return this.policy.precheck(new URL(ACCREDITATIONS_PATH, iss)).url.origin;
    } catch {
      return undefined;
    }
  }

  /** Fetches (if due) and verifies the accreditations of `iss`'s origin. Never throws. */
  async ensure(iss: string): Promise<void> {
    if (this.anchors.length === 0) return;
    const origin = this.lookupOrigin(iss);
    if (origin === undefined) return;
    const now = this.options.now().getTime();
    const doc = this.origins.get(origin);
    const fresh = doc !== undefined && now - doc.fetchedAt < this.ttlMs();
    if (!fresh && this.failures.blockedUntil(origin, now) === undefined) {
      let pending = this.inflight.get(origin);
      if (!pending) {
        if (doc === undefined && !this.admitNewOrigin(now)) {
          this.log.warn('accreditation: too many unknown issuer origins this minute; not looking this one up');
          return;
        }
        pending = this.load(origin).finally(() => this.inflight.delete(origin));
        this.inflight.set(origin, pending);
      }
      await pending;
    }
    const current = this.origins.get(origin);
    if (current && this.byIssuer.get(iss)?.from !== current) await this.evaluate(iss, origin, current);
  }

  /**
   * Re-fetches, once their copy is past the TTL, the origins that hold an accreditation, and the
   * anchor status lists (background timer). An origin without one is never fetched in the
   * background; it is forgotten once its copy is stale.
   */
  async refreshDue(): Promise<void> {
    const now = this.options.now().getTime();
    const accredited = new Set<string>();
    for (const e of this.byIssuer.values()) if (e.accreditations.length > 0) accredited.add(e.origin);
    for (const [origin, doc] of this.origins) {
      if (!accredited.has(origin) && now - doc.fetchedAt >= this.ttlMs()) this.forgetOrigin(origin);
    }
    await Promise.all([...this.byIssuer].filter(([, e]) => accredited.has(e.origin)).map(([iss]) => this.ensure(iss)));
    await this.statusLists.refreshDue();
  }

  private forgetOrigin(origin: string): void {
    this.origins.delete(origin);
    for (const [iss, e] of this.byIssuer) if (e.origin === origin) this.byIssuer.delete(iss);
  }

  private async load(origin: string): Promise<void> {
    try {
      const res = await httpFetch(`${origin}${ACCREDITATIONS_PATH}`, { timeoutMs: 5000, maxBytes: 256 * 1024, policy: this.policy });
      if (res.status !== 200) throw new ShomeiError('upstream_unavailable', `answered HTTP ${res.status}`);
      const parsed = bodySchema.safeParse(res.json());
      if (!parsed.success) throw new ShomeiError('upstream_unavailable', 'its accreditations document is malformed');
      this.failures.succeeded(origin);
      this.origins.delete(origin); // re-inserted last: the Map's order is the eviction order
      this.origins.set(origin, { jwts: parsed.data.accreditations, fetchedAt: this.options.now().getTime() });
      while (this.origins.size > MAX_ORIGINS) {
        const oldest = this.origins.keys().next().value;
        if (oldest === undefined) break;
        this.forgetOrigin(oldest);
      }
    } catch (e) {
      const waitMs = this.failures.failed(origin, this.options.now().getTime());
      const why = e instanceof ShomeiError ? e.message : 'unexpected error';
      this.log.warn(`accreditation: fetching accreditations of ${origin} failed (${why}); not tried again for ${waitMs / 1000} s`);
    }
  }

  /** Verifies an origin's published accreditations for one issuer on it (its own did:web subject). No fetch but anchor status lists. */
  private async evaluate(iss: string, origin: string, doc: OriginDocument): Promise<void> {
    const subject = didWebForOrigin(iss);
    const now = this.options.now();
    const accepted: Accreditation[] = [];
    let reason = 'the issuer publishes no accreditation from a configured anchor';
    for (const jwt of doc.jwts) {
      try {
        this.agent ??= import('./veramo.js').then((m) => m.verifyingAgent());
        const a = await verifyAccreditation(await this.agent, jwt, { anchors: this.anchors, subject, now });
        if (a.status) await this.statusLists.ensure(a.status.uri, a.anchor);
        accepted.push(a);
      } catch (e) {
        reason = e instanceof ShomeiError ? `accreditation rejected: ${e.message}` : 'an accreditation could not be verified';
      }
    }
    this.byIssuer.delete(iss);
    this.byIssuer.set(iss, { origin, from: doc, accreditations: accepted, reason });
    if (this.byIssuer.size > MAX_ISSUERS) {
      for (const [other, e] of this.byIssuer) if (e.accreditations.length === 0 && other !== iss) this.byIssuer.delete(other);
      while (this.byIssuer.size > MAX_ISSUERS) {
        const oldest = this.byIssuer.keys().next().value;
        if (oldest === undefined) break;
        this.byIssuer.delete(oldest);
      }
    }
    this.log.info(`accreditation: ${iss} holds ${accepted.length} valid accreditation(s)`);
  }

  /** From memory: what the issuer is accredited for at `now`, or why it is not. */
  policyFor(iss: string, now: Date, staleStatus: 'reject' | 'accept' = 'reject'): IssuerPolicy | { untrusted: string } {
    const entry = this.byIssuer.get(iss);
    if (!entry) return { untrusted: 'the issuer is neither configured nor accredited by a trust anchor' };
    let reason = entry.reason;
    const vcts = new Set<string>();
    let best = -1;
    const levels: AssuranceLevel[] = ['IAL1', 'IAL2', 'IAL3'];
    for (const a of entry.accreditations) {
      if (now.getTime() >= a.validUntil) {
        reason = "the issuer's accreditation has expired";
        continue;
      }
      if (a.status) {
        const st = this.statusLists.lookupEntry(a.status.uri, a.anchor, now);
        if (!st || (st.stale && staleStatus === 'reject')) {
          reason = "the revocation status of the issuer's accreditation is unavailable";
          continue;
        }
        let value: number;
        try {
          value = st.list.get(a.status.idx);
        } catch {
          reason = 'the accreditation status index is outside the anchor list';
          continue;
        }
        if (value !== STATUS.VALID) {
          reason = "the issuer's accreditation has been revoked";
          continue;
        }
      }
      for (const v of a.vcts) vcts.add(v);
      best = Math.max(best, levels.indexOf(a.maxAssurance));
    }
    if (best < 0) return { untrusted: reason };
    return { vcts: [...vcts], maxAssurance: levels[best] as AssuranceLevel, source: 'accreditation' };
  }
}
