import type { KeyObject } from 'node:crypto';
import { type AssuranceLevel, didWebForOrigin, httpFetch, publicKeyFromJwk, ShomeiError, STATUS } from '@shomei/shared';
import { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';
import { StatusListCache } from '../status/status-list-cache.js';
import type { IssuerPolicy } from '../trust/trust-store.js';
import { type Accreditation, jwkOfDidJwk, verifyAccreditation } from './credential.js';
import type { VerifyingAgent } from './veramo.js';

export const ACCREDITATIONS_PATH = '/.well-known/shomei-accreditations';
export const MAX_NEW_ISSUERS_PER_MINUTE = 30;
const MAX_ISSUERS = 1000;
const bodySchema = z.object({ accreditations: z.array(z.string().max(16 * 1024)).max(32) });

interface IssuerAccreditations {
  accreditations: Accreditation[];
  fetchedAt: number;
  failedAt: number | undefined;
  /** Why none was accepted, for the result message. */
  reason: string;
}

export interface AccreditationRegistryOptions {
  anchors: readonly string[];
  now: () => Date;
  log?: Logger;
  /** How long an issuer's published accreditations are cached (default 600 s). */
  ttlSeconds?: number;
  failureCooldownSeconds?: number;
  staleAfterSeconds?: number;
}

/**
 * Issuers admitted by trust anchors. `ensure(iss)` (background / cold path) fetches the
 * issuer's `/.well-known/shomei-accreditations`, verifies each VC-JWT with Veramo, and loads
 * the anchor's status list; `policyFor(iss, now)` answers from memory on the hot path: an
 * issuer holding a valid, unexpired, unrevoked accreditation, with the types and the highest
 * level it grants.
 */
export class AccreditationRegistry {
  private readonly byIssuer = new Map<string, IssuerAccreditations>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** Veramo is loaded on first use: a verifier without anchors (and the CLI) never pays for it. */
  private agent: Promise<VerifyingAgent> | undefined;
  private readonly anchorKeys = new Map<string, KeyObject>();
  readonly statusLists: StatusListCache;
  private readonly log: Logger;
  private anchors: readonly string[];

  constructor(private readonly options: AccreditationRegistryOptions) {
    this.log = options.log ?? silentLogger;
    this.anchors = options.anchors;
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

  private newIssuerFetches: number[] = [];

  /**
   * A presented credential names its own `iss`, so an attacker could make the verifier fetch
   * from many origins: at most `MAX_NEW_ISSUERS_PER_MINUTE` issuers never seen before are looked
   * up per minute, and issuers found unaccredited are forgotten first when the table is full.
   */
  private admitNewIssuer(now: number): boolean {
    this.newIssuerFetches = this.newIssuerFetches.filter((t) => now - t < 60_000);
    if (this.newIssuerFetches.length >= MAX_NEW_ISSUERS_PER_MINUTE) return false;
    this.newIssuerFetches.push(now);
    if (this.byIssuer.size >= MAX_ISSUERS) {
      for (const [iss, e] of this.byIssuer) if (e.accreditations.length === 0) this.byIssuer.delete(iss);
    }
    return this.byIssuer.size < MAX_ISSUERS;
  }

  /** Fetches and verifies the issuer's accreditations unless a fresh copy is cached. Never throws. */
  async ensure(iss: string): Promise<void> {
    if (this.anchors.length === 0) return;
    const now = this.options.now().getTime();
    const entry = this.byIssuer.get(iss);
    if (!entry && !this.inflight.has(iss) && !this.admitNewIssuer(now)) {
      this.log.warn('accreditation: too many unknown issuers this minute; not looking this one up');
      return;
    }
    if (entry && now - entry.fetchedAt < (this.options.ttlSeconds ?? 600) * 1000) return;
    if (entry?.failedAt !== undefined && now - entry.failedAt < (this.options.failureCooldownSeconds ?? 30) * 1000) return;
    let pending = this.inflight.get(iss);
    if (!pending) {
      pending = this.load(iss).finally(() => this.inflight.delete(iss));
      this.inflight.set(iss, pending);
    }
    await pending;
  }

  /** Re-fetches accreditations and anchor status lists that are due (background timer). */
  async refreshDue(): Promise<void> {
    await Promise.all([...this.byIssuer.keys()].map((iss) => this.ensure(iss)));
    await this.statusLists.refreshDue();
  }

  private async load(iss: string): Promise<void> {
    const previous = this.byIssuer.get(iss);
    let origin: string;
    try {
      origin = new URL(iss).origin;
    } catch {
      return;
    }
    const subject = didWebForOrigin(iss);
    try {
      const res = await httpFetch(`${origin}${ACCREDITATIONS_PATH}`, { timeoutMs: 5000, maxBytes: 256 * 1024 });
      if (res.status !== 200) throw new ShomeiError('upstream_unavailable', `answered HTTP ${res.status}`);
      const parsed = bodySchema.safeParse(res.json());
      if (!parsed.success) throw new ShomeiError('upstream_unavailable', 'its accreditations document is malformed');
      const now = this.options.now();
      const accepted: Accreditation[] = [];
      let reason = 'the issuer publishes no accreditation from a configured anchor';
      for (const jwt of parsed.data.accreditations) {
        try {
          this.agent ??= import('./veramo.js').then((m) => m.verifyingAgent());
          const a = await verifyAccreditation(await this.agent, jwt, { anchors: this.anchors, subject, now });
          if (a.status) await this.statusLists.ensure(a.status.uri, a.anchor);
          accepted.push(a);
        } catch (e) {
          reason = e instanceof ShomeiError ? `accreditation rejected: ${e.message}` : 'an accreditation could not be verified';
        }
      }
      this.byIssuer.set(iss, { accreditations: accepted, fetchedAt: now.getTime(), failedAt: undefined, reason });
      this.log.info(`accreditation: ${iss} holds ${accepted.length} valid accreditation(s)`);
    } catch (e) {
      const why = e instanceof ShomeiError ? e.message : 'unexpected error';
      this.byIssuer.set(iss, {
        accreditations: previous?.accreditations ?? [],
        fetchedAt: previous?.fetchedAt ?? 0,
        failedAt: this.options.now().getTime(),
        reason: "the issuer's accreditations could not be fetched",
      });
      this.log.warn(`accreditation: fetching accreditations of ${origin} failed (${why})`);
    }
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
