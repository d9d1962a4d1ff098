import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { jobLeases, redactDatabaseUrl, scheduleJobs, serverLimits } from '@shomei/shared';
import type { Hono } from 'hono';
import { type IssuerDeps, type Logger, normalizeBaseUrl, openIssuerDeps, type SandboxConfig } from './deps.js';
import { createIssuerService } from './http/app.js';
import type { ProofingConfig } from './proofing/config.js';
import type { IssuerSettings } from './settings.js';
import { setCredentialStatus } from './status/set-status.js';
import type { CredentialStatus } from './store/credentials.js';

export interface IssuerServerConfig {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 4000); 0 lets the OS pick. */
  port?: number;
  /** Directory of the database file `issuer.db`, uploads and batch files (replicas share it). */
  dataDir: string;
  /** A PostgreSQL URL (replicas share it) or a SQLite file; default `<dataDir>/issuer.db`. */
  database?: string;
  /** Public base URL; defaults to http://<host>:<actual port>. */
  publicUrl?: string;
  sandbox?: SandboxConfig;
  /** Secret that seals the key vault. */
  secret: string;
  now?: () => Date;
  log?: Logger;
  settings?: Partial<IssuerSettings>;
  /** Identity proofing: JPKI trust anchors and CRLs, upstream KYC bodies, uploads directory. */
  proofing?: Partial<ProofingConfig>;
}

export interface RunningIssuer {
  /** The public base URL (credential issuer identifier). */
  url: string;
  /** The address actually listened on. */
  listening: { host: string; port: number };
  dbFile: string;
  deps: IssuerDeps;
  setCredentialStatus(credentialId: string, status: CredentialStatus): Promise<void>;
  /** Stops accepting connections, waits for open requests, closes the database. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4000;

/** Starts the issuer over HTTP. */
export async function startIssuer(config: IssuerServerConfig): Promise<RunningIssuer> {
  const host = config.host ?? DEFAULT_HOST;
  const port = config.port ?? DEFAULT_PORT;
  const dbFile = config.database ?? join(config.dataDir, 'issuer.db');
  let app: Hono | undefined;
  // The app needs the public URL, which by default contains the port the OS picks: listen first, then build it.
  const server = createAdaptorServer({
    fetch: (req, env) => (app ? app.fetch(req, env) : new Response(null, { status: 503 })),
    hostname: host,
    serverOptions: serverLimits(),
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let deps: IssuerDeps;
  try {
    const url = normalizeBaseUrl(config.publicUrl ?? `http://${urlHost(host)}:${address.port}`);
    deps = await openIssuerDeps({
      dbFile,
      dataDir: config.dataDir,
      secret: config.secret,
      baseUrl: url,
      sandbox: config.sandbox,
      now: config.now,
      log: config.log,
      settings: config.settings,
      proofing: config.proofing,
    });
  } catch (e) {
    await closeServer(server);
    throw e;
  }
  const service = createIssuerService(deps);
  app = service.app;
  // Jobs on shared rows (CRL re-check, batch file sweep) run on one replica at a time, by lease.
  const jobs = scheduleJobs(service.jobs, (job) => deps.log(`job ${job} failed`), { mayRun: jobLeases(deps.sql) });
  let closing: Promise<void> | undefined;
  return {
    url: deps.baseUrl,
    listening: { host, port: address.port },
    dbFile: redactDatabaseUrl(dbFile),
    deps,
    setCredentialStatus: (credentialId, status) => setCredentialStatus(deps, credentialId, status),
    close() {
      jobs.stop();
      closing ??= closeServer(server).finally(() => deps.sql.close());
      return closing;
    },
  };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}
