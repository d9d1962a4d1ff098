import type { KeyObject } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { JwsAlg } from '@shomei/shared';
import { AccreditationRegistry } from '../accreditation/registry.js';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_ALGS } from './algorithms.js';
import { type IssuerPolicy, type IssuerPolicySource, TrustStore } from './trust-store.js';
import { loadTrustConfig, type TrustConfig } from './z-trust-config.js';

export interface VerifySettings {
  allowedAlgs: readonly JwsAlg[];
  staleStatus: 'reject' | 'accept';
  staleAfterSeconds: number;
  /** Trust file `status.required` (default true): must a credential carry a `status` claim. */
  statusRequired: boolean;
}

export interface TrustServiceOptions {
  now: () => Date;
  log?: Logger;
}

/**
 * The verifier's trust: configured issuers (TrustStore), issuers accredited by configured
 * anchors (AccreditationRegistry), and the settings of the trust file (algorithm allow-list,
 * stale-status policy). `reload` swaps in a new trust file without a restart; `watchFile`
 * does it when the file changes. Everything the hot path calls answers from memory.
 */
export class TrustService implements IssuerPolicySource {
  readonly store: TrustStore;
  readonly accreditations: AccreditationRegistry;
  private config: TrustConfig;
  private watcher: FSWatcher | undefined;
  private readonly log: Logger;

  constructor(config: TrustConfig, options: TrustServiceOptions) {
    this.log = options.log ?? silentLogger;
    this.config = config;
    this.store = new TrustStore(config, { now: options.now, log: this.log, keyTtlSeconds: config.key_ttl_seconds });
    this.accreditations = new AccreditationRegistry({
      anchors: (config.anchors ?? []).map((a) => a.did),
      now: options.now,
      log: this.log,
      staleAfterSeconds: config.status?.stale_after_seconds,
    });
  }

  settings(): VerifySettings {
    return {
      allowedAlgs: (this.config.algorithms as JwsAlg[] | undefined) ?? DEFAULT_ALGS,
      staleStatus: this.config.status?.stale ?? 'reject',
      staleAfterSeconds: this.config.status?.stale_after_seconds ?? 60,
      statusRequired: this.config.status?.required ?? true,
    };
  }

  get current(): TrustConfig {
    return this.config;
  }

  reload(config: TrustConfig): void {
    this.store.reload(config);
    const anchors = (config.anchors ?? []).map((a) => a.did);
    if (JSON.stringify(anchors) !== JSON.stringify((this.config.anchors ?? []).map((a) => a.did))) this.accreditations.setAnchors(anchors);
    this.config = config;
  }

  /** Reloads the trust file when it changes; a file that does not parse leaves the old configuration in use. */
  watchFile(file: string): void {
    let timer: NodeJS.Timeout | undefined;
    const load = () => {
      try {
        this.reload(loadTrustConfig(file));
        this.log.info(`trust: reloaded ${file} (${this.config.issuers.length} issuer(s), ${this.config.anchors?.length ?? 0} anchor(s))`);
      } catch (e) {
        this.log.warn(
          `trust: ${file} changed but was not loaded (${e instanceof Error ? e.message : 'error'}); the previous configuration stays in use`,
        );
      }
    };
    // The directory is watched, not the file: editors and deploy tools replace files by rename.
    const name = basename(file);
    this.watcher = watch(dirname(resolve(file)), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(load, 100);
    });
    this.watcher.unref();
  }

  close(): void {
    this.watcher?.close();
  }

  resolveKey(iss: string, header: Record<string, unknown>): KeyObject {
    return this.store.resolveKey(iss, header);
  }

  isTrusted(iss: string): boolean {
    return this.store.isConfigured(iss) || this.accreditations.has(iss);
  }

  issuerPolicy(iss: string, now: Date): IssuerPolicy | { untrusted: string } {
    if (this.store.isConfigured(iss)) return this.store.issuerPolicy(iss);
    return this.accreditations.policyFor(iss, now, this.settings().staleStatus);
  }

  /** Cold path: admits an accredited issuer (fetching its accreditations), then makes sure its keys are loaded. */
  async ensureKeys(iss: string, kid?: string): Promise<void> {
    if (!this.store.isConfigured(iss) && this.accreditations.anchorCount > 0) {
      await this.accreditations.ensure(iss);
      if (this.accreditations.has(iss)) this.store.addAccredited(iss);
    }
    await this.store.ensureKeys(iss, kid);
  }

  async refreshDue(): Promise<void> {
    await Promise.all([this.store.refreshDue(), this.accreditations.refreshDue()]);
  }
}
