import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { KeyVault } from '@shomei/shared';
import { createApp } from './http/app.js';
import { loadVerifierIdentity } from './keys.js';
import { consoleLogger, type Logger } from './log.js';
import { StatusListCache } from './status/status-list-cache.js';
import { openSqliteVerifierStore } from './store/sqlite.js';
import { TrustStore } from './trust/trust-store.js';
import { loadTrustConfig, type TrustConfig } from './trust/z-trust-config.js';

export interface ServeOptions {
  host: string;
  /** 0 lets the OS pick. */
  port: number;
  dataDir: string;
  /** Defaults to http://<host>:<port> once listening. */
  publicUrl?: string;
  trustFile?: string;
  /** Unlocks the key vault; never logged. */
  secret: string;
  requestTtlSeconds?: number;
  log?: Logger;
  now?: () => Date;
}

export interface RunningVerifier {
  /** Where the socket listens. */
  url: string;
  /** The base of every URL the verifier hands out. */
  publicUrl: string;
  clientId: string;
  databaseFile: string;
  requestTtlSeconds: number;
  trust: TrustStore;
  statusLists: StatusListCache;
  /** Starts fetching issuer keys and a periodic refresh of keys and status lists. */
  startBackgroundRefresh(intervalMs?: number): void;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'verifier.db';

export async function startVerifier(options: ServeOptions): Promise<RunningVerifier> {
  const log = options.log ?? consoleLogger;
  const now = options.now ?? (() => new Date());
  const trustConfig: TrustConfig = options.trustFile ? loadTrustConfig(options.trustFile) : { issuers: [] };
  const databaseFile = resolve(join(options.dataDir, DATABASE_FILE));
  const store = openSqliteVerifierStore(databaseFile);
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const vault = KeyVault.open(store.db, options.secret);
    let app: ReturnType<typeof createApp> | undefined;
    // The public URL (and with it the DID) may depend on the port the OS picks: the app is built once listening.
    const listening = createAdaptorServer({
      fetch: (req, env) => (app ? app.fetch(req, env) : new Response(null, { status: 503 })),
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
    const trust = new TrustStore(trustConfig, { now, log });
    const statusLists = new StatusListCache({ trust, now, log });
    app = createApp({
      store,
      identity,
      sealer: vault,
      trust,
      statusLists,
      baseUrl: publicUrl,
      now,
      log,
      requestTtlSeconds,
    });

    return {
      url,
      publicUrl,
      clientId: identity.clientId,
      databaseFile,
      requestTtlSeconds,
      trust,
      statusLists,
      startBackgroundRefresh(intervalMs = 60_000) {
        void trust.refreshDue();
        timer ??= setInterval(() => {
          void trust.refreshDue();
          void statusLists.refreshDue();
        }, intervalMs).unref();
      },
      close: () =>
        new Promise<void>((done) => {
          clearInterval(timer);
          listening.close(() => {
            store.close();
            done();
          });
          listening.closeAllConnections();
        }),
    };
  } catch (e) {
    server?.close();
    store.close();
    throw e;
  }
}
