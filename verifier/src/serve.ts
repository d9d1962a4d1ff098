import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { jobLeases, KeyVault, redactDatabaseUrl, type ScheduledJobs, scheduleJobs, serverLimits } from '@shomei/shared';
import { EvidenceWriter } from './evidence/evidence.js';
import { createApp } from './http/app.js';
import { retentionPurgeJob } from './jobs/retention-purge.js';
import { statusRefreshJob } from './jobs/status-refresh.js';
import { trustRefreshJob } from './jobs/trust-refresh.js';
import { loadVerifierIdentity } from './keys.js';
import { consoleLogger, type Logger } from './log.js';
import type { StatusCacheBounds } from './status/cache-settings.js';
import { StatusListCache } from './status/status-list-cache.js';
import { openVerifierStore } from './store/sql-store.js';
import { TrustService } from './trust/trust-service.js';
import type { TrustStore } from './trust/trust-store.js';
import { loadTrustConfig, parseTrustConfig, type TrustConfig } from './trust/z-trust-config.js';
import { WebhookSender } from './webhooks/webhooks.js';

export interface ServeOptions {
  host: string;
  /** 0 lets the OS pick. */
  port: number;
  dataDir: string;
  /** A PostgreSQL URL (replicas share it) or a SQLite file; default `<dataDir>/verifier.db`. */
  database?: string;
  /** Defaults to http://<host>:<port> once listening. */
  publicUrl?: string;
  trustFile?: string;
  /** Unlocks the key vault; never logged. */
  secret: string;
  requestTtlSeconds?: number;
  /** After how long an abandoned claim on a request may be taken over (default 30 s; env SHOMEI_VERIFIER_CLAIM_TIMEOUT_SECONDS in the CLI). */
  claimTimeoutSeconds?: number;
  /** How many status lists, and how many inflated bytes of them, are cached (defaults 256 and 256 MiB). */
  statusCache?: StatusCacheBounds;
  log?: Logger;
  now?: () => Date;
}

export interface RunningVerifier {
  /** Where the socket listens. */
  url: string;
  /** The base of every URL the verifier hands out. */
  publicUrl: string;
  clientId: string;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  databaseFile: string;
  requestTtlSeconds: number;
  trust: TrustStore;
  /** Configured and accredited issuers, settings, reload. */
  trustService: TrustService;
  statusLists: StatusListCache;
  evidence: EvidenceWriter;
  webhooks: WebhookSender;
  /**
   * Starts fetching issuer keys, a periodic refresh of keys, accreditations and status lists
   * (every `intervalMs`, default 10 s: each list is refetched once its ttl has passed), the
   * evidence purge (hourly), and the trust-file watch (reload without restart).
   */
  startBackgroundRefresh(intervalMs?: number): void;
  /** Runs the retention purge now. */
  purge(): Promise<{ evidence: number; requestResults: number }>;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'verifier.db';

export async function startVerifier(options: ServeOptions): Promise<RunningVerifier> {
  const log = options.log ?? consoleLogger;
  const now = options.now ?? (() => new Date());
  const trustConfig: TrustConfig = options.trustFile ? loadTrustConfig(options.trustFile) : parseTrustConfig({ issuers: [] });
  const database = options.database ?? resolve(join(options.dataDir, DATABASE_FILE));
  // Where the rows are, for the start-up summary: a PostgreSQL URL without its password.
  const databaseFile = redactDatabaseUrl(database);
  const store = await openVerifierStore(database);
  let server: Server | undefined;
  let jobs: ScheduledJobs | undefined;
  try {
    const vault = await KeyVault.open(store.vault, options.secret);
    let app: ReturnType<typeof createApp> | undefined;
    // The public URL (and with it the DID) may depend on the port the OS picks: the app is built once listening.
    const listening = createAdaptorServer({
      fetch: (req, env) => (app ? app.fetch(req, env) : new Response(null, { status: 503 })),
      serverOptions: serverLimits(),
    }) as Server;
    server = listening;
    await new Promise<void>((done, fail) => {
      listening.once('error', fail);
      listening.listen(options.port, options.host, () => {
        listening.off('error', fail);
        done();
      });
    });
    const { port } = listening.address() as AddressInfo;
    const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
    const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
    const identity = await loadVerifierIdentity(vault, publicUrl);
    const requestTtlSeconds = options.requestTtlSeconds ?? 300;
    const trustService = new TrustService(trustConfig, { now, log });
    const trust = trustService.store;
    const statusLists = new StatusListCache({
      trust,
      now,
      log,
      staleAfterSeconds: trustConfig.status?.stale_after_seconds,
      ...options.statusCache,
    });
    const evidence = new EvidenceWriter(store.evidence, log);
    const webhooks = new WebhookSender(log, now);
    app = createApp({
      store,
      identity,
      sealer: vault,
      trust: trustService,
      statusLists,
      baseUrl: publicUrl,
      now,
      log,
      requestTtlSeconds,
      ...(options.claimTimeoutSeconds === undefined ? {} : { claimTimeoutSeconds: options.claimTimeoutSeconds }),
      evidence,
      webhooks,
    });
    const purgeJob = retentionPurgeJob(store.evidence, evidence, now, log);
    const purge = () => purgeJob.run();

    return {
      url,
      publicUrl,
      clientId: identity.clientId,
      databaseFile,
      requestTtlSeconds,
      trust,
      trustService,
      statusLists,
      evidence,
      webhooks,
      purge,
      startBackgroundRefresh(intervalMs = 10_000) {
        if (jobs) return;
        if (options.trustFile) trustService.watchFile(options.trustFile);
        // Trust and status refresh fill this process's caches: every replica runs them. The purge
        // works on the shared rows: one replica at a time, by lease.
        jobs = scheduleJobs(
          [trustRefreshJob(trustService, intervalMs), statusRefreshJob(statusLists, intervalMs), purgeJob],
          (job) => log.warn(`job ${job} failed`),
          { mayRun: jobLeases(store.sql) },
        );
      },
      close: () =>
        new Promise<void>((done) => {
          jobs?.stop();
          trustService.close();
          listening.close(() => {
            void evidence.flush().finally(() => {
              void store.close().finally(done);
            });
          });
          listening.closeAllConnections();
        }),
    };
  } catch (e) {
    server?.close();
    await store.close();
    throw e;
  }
}
