import type { KeyObject } from 'node:crypto';
import { type AssuranceLevel, httpFetch, IDENTITY_VCT, parseWith, publicKeyFromJwk, ShomeiError } from '@shomei/shared';
import { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';

/** A parsed trust configuration, or the same shape built in code (keys are checked as they load). */
export interface TrustStoreConfig {
  issuers: readonly {
    iss: string;
    keys?: readonly { kid?: string }[];
    discover?: boolean;
    vcts?: readonly string[];
    max_assurance?: string;
    status?: { required?: boolean };
  }[];
}

/** What an issuer may issue: credential types and the highest assurance level it may assert. */
export interface IssuerPolicy {
  vcts: readonly string[];
  maxAssurance: AssuranceLevel;
  /** `config` (listed in the trust file) or `accreditation` (admitted by a trust anchor). */
  source: 'config' | 'accreditation';
  /** The trust entry's `status.required`; undefined: the service-wide setting decides. */
  statusRequired?: boolean;
}

/** Answers, from memory, whether an issuer is trusted at `now` and for what. */
export interface IssuerPolicySource {
  issuerPolicy(iss: string, now: Date): IssuerPolicy | { untrusted: string };
}

/** What verification needs from trust: a key, synchronously, from memory. */
export interface IssuerKeyResolver {
  /** The trusted key for `iss` and the JWS header's `kid`; throws `untrusted_issuer`. */
  resolveKey(iss: string, header: Record<string, unknown>): KeyObject;
}

interface TrustedKey {
  kid: string | undefined;
  key: KeyObject;
}

interface IssuerEntry {
  iss: string;
  /** Absent for an issuer admitted by accreditation (its policy comes from the accreditation). */
  policy: IssuerPolicy | undefined;
  pinned: TrustedKey[];
  discover: boolean;
  discovered: TrustedKey[];
  fetchedAt: number;
  refreshAt: number;
  failedAt: number | undefined;
  inflight: Promise<void> | undefined;
}

export interface TrustStoreOptions {
  now: () => Date;
  log?: Logger;
  /** How long discovered keys are used before a refresh (default 600 s). */
  keyTtlSeconds?: number;
  /** After a failed discovery, how long before another attempt (default 30 s). */
  failureCooldownSeconds?: number;
}

const jwtVcIssuerSchema = z.looseObject({
  issuer: z.string(),
  jwks: z.looseObject({
    keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional(), use: z.string().optional() })).max(32),
  }),
});

/** SD-JWT VC issuer metadata lives at the origin, with the issuer's path after the well-known segment. */
export function jwtVcIssuerMetadataUrl(iss: string): string {
  const url = new URL(iss);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/jwt-vc-issuer${path}`;
}

/**
 * The trusted issuers and their keys. Pinned keys come from the trust configuration; discovered
 * ones are fetched from `jwt-vc-issuer` by `ensureKeys`/`refreshDue` (async, before verification)
 * and cached for `keyTtlSeconds`. `resolveKey` only reads memory: verification does no I/O.
 * When a refresh fails, the keys already held stay in use (keys outlive their cache lifetime);
 * an issuer whose keys were never fetched has none, and its credentials fail `untrusted_issuer`.
 */
export class TrustStore implements IssuerKeyResolver, IssuerPolicySource {
  private entries = new Map<string, IssuerEntry>();
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly cooldownMs: number;

  constructor(
    config: TrustStoreConfig,
    private readonly options: TrustStoreOptions,
  ) {
    this.log = options.log ?? silentLogger;
    this.ttlMs = (options.keyTtlSeconds ?? 600) * 1000;
    this.cooldownMs = (options.failureCooldownSeconds ?? 30) * 1000;
    this.entries = this.build(config);
  }

  private build(config: TrustStoreConfig): Map<string, IssuerEntry> {
    const entries = new Map<string, IssuerEntry>();
    for (const issuer of config.issuers) {
      const pinned = (issuer.keys ?? []).map((jwk) => ({ kid: jwk.kid, key: publicKeyFromJwk(jwk) }));
      const previous = this.entries.get(issuer.iss);
      entries.set(issuer.iss, {
        iss: issuer.iss,
        policy: {
          vcts: [...(issuer.vcts ?? [IDENTITY_VCT])],
          maxAssurance: (issuer.max_assurance ?? 'IAL3') as AssuranceLevel,
          source: 'config',
          ...(issuer.status?.required === undefined ? {} : { statusRequired: issuer.status.required }),
        },
        pinned,
        discover: issuer.discover ?? pinned.length === 0,
        // Keys discovered before a reload stay in use until their own refresh.
        discovered: previous?.discovered ?? [],
        fetchedAt: previous?.fetchedAt ?? 0,
        refreshAt: previous?.refreshAt ?? 0,
        failedAt: undefined,
        inflight: undefined,
      });
    }
    for (const [iss, entry] of this.entries) if (entry.policy === undefined && !entries.has(iss)) entries.set(iss, entry);
    return entries;
  }

  /**
   * Replaces the configured issuers (trust file reloaded without a restart). The whole new
   * configuration is built before it replaces the old one, so a bad key leaves the old one in use.
   */
  reload(config: TrustStoreConfig): void {
    this.entries = this.build(config);
  }

  /** Admits an issuer for key discovery because a trust anchor accredited it (its policy comes from there). */
  addAccredited(iss: string): void {
    if (this.entries.has(iss)) return;
    this.entries.set(iss, {
      iss,
      policy: undefined,
      pinned: [],
      discover: true,
      discovered: [],
      fetchedAt: 0,
      refreshAt: 0,
      failedAt: undefined,
      inflight: undefined,
    });
  }

  /** Whether `iss` is listed in the trust configuration itself. */
  isConfigured(iss: string): boolean {
    return this.entries.get(iss)?.policy !== undefined;
  }

  issuerPolicy(iss: string): IssuerPolicy | { untrusted: string } {
    const policy = this.entries.get(iss)?.policy;
    return policy ?? { untrusted: 'the issuer is not in the trust configuration' };
  }

  issuers(): { iss: string; pinnedKeys: number; discover: boolean; vcts: readonly string[]; maxAssurance: string }[] {
    return [...this.entries.values()]
      .filter((e) => e.policy !== undefined)
      .map((e) => ({
        iss: e.iss,
        pinnedKeys: e.pinned.length,
        discover: e.discover,
        vcts: e.policy?.vcts ?? [],
        maxAssurance: e.policy?.maxAssurance ?? 'IAL3',
      }));
  }

  isTrusted(iss: string): boolean {
    return this.entries.has(iss);
  }

  resolveKey(iss: string, header: Record<string, unknown>): KeyObject {
    const entry = this.entries.get(iss);
    if (!entry) throw new ShomeiError('untrusted_issuer', 'the issuer is not in the trust configuration');
    const keys = [...entry.pinned, ...entry.discovered];
    if (keys.length === 0) throw new ShomeiError('untrusted_issuer', 'no keys are available for the issuer (discovery has not succeeded)');
    const only = keys.length === 1 ? keys[0] : undefined;
    const kid = header.kid;
    if (typeof kid === 'string') {
      const found = keys.find((k) => k.kid === kid);
      if (found) return found.key;
      // A single key pinned without kid is the issuer's key whatever kid the JWS names.
      if (only && only.kid === undefined) return only.key;
      throw new ShomeiError('untrusted_issuer', 'no trusted key of the issuer has the kid the JWS names');
    }
    if (only) return only.key;
    throw new ShomeiError('untrusted_issuer', 'the JWS names no kid and the issuer has several keys');
  }

  /**
   * Makes sure the keys of a configured, discoverable issuer are loaded and fresh, and that
   * `kid` (when given) is among them: one fetch at most, none during a failure cooldown.
   */
  async ensureKeys(iss: string, kid?: string): Promise<void> {
    const entry = this.entries.get(iss);
    if (!entry?.discover) return;
    const now = this.options.now().getTime();
    const fresh = now < entry.refreshAt;
    if (fresh && (kid === undefined || [...entry.pinned, ...entry.discovered].some((k) => k.kid === kid))) return;
    // An unknown kid may mean a rotated key, or a forged one: refetch, but not more than once per cooldown.
    if (fresh && now - entry.fetchedAt < this.cooldownMs) return;
    if (entry.failedAt !== undefined && now - entry.failedAt < this.cooldownMs) return;
    await this.fetchKeys(entry);
  }

  /** Refreshes every discoverable issuer whose keys are due (for a background timer or start-up). */
  async refreshDue(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((iss) => this.ensureKeys(iss)));
  }

  private fetchKeys(entry: IssuerEntry): Promise<void> {
    entry.inflight ??= this.discover(entry).finally(() => {
      entry.inflight = undefined;
    });
    return entry.inflight;
  }

  private async discover(entry: IssuerEntry): Promise<void> {
    const url = jwtVcIssuerMetadataUrl(entry.iss);
    try {
      const res = await httpFetch(url, { headers: { accept: 'application/json' }, maxBytes: 256 * 1024, timeoutMs: 5000 });
      if (res.status !== 200) throw new ShomeiError('upstream_unavailable', `answered HTTP ${res.status}`);
      const meta = parseWith(jwtVcIssuerSchema, res.json(), 'jwt-vc-issuer metadata', 'upstream_unavailable');
      if (meta.issuer !== entry.iss) throw new ShomeiError('upstream_unavailable', 'its issuer does not match the configured iss');
      const keys: TrustedKey[] = [];
      for (const jwk of meta.jwks.keys) {
        if (jwk.use !== undefined && jwk.use !== 'sig') continue;
        try {
          keys.push({ kid: jwk.kid, key: publicKeyFromJwk(jwk) });
        } catch {
          this.log.warn(`trust: skipped an unusable key in ${url}`);
        }
      }
      if (keys.length === 0) throw new ShomeiError('upstream_unavailable', 'it lists no usable signing key');
      entry.discovered = keys;
      entry.fetchedAt = this.options.now().getTime();
      entry.refreshAt = entry.fetchedAt + this.ttlMs;
      entry.failedAt = undefined;
      this.log.info(`trust: loaded ${keys.length} key(s) from ${url}`);
    } catch (e) {
      entry.failedAt = this.options.now().getTime();
      const why = e instanceof ShomeiError ? e.message : 'unexpected error';
      this.log.warn(`trust: key discovery at ${url} failed (${why}); ${entry.discovered.length} cached key(s) stay in use`);
    }
  }
}
