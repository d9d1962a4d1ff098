// The deployment the scale tests run: HAProxy in front of two issuer and two verifier replicas, all
// on one PostgreSQL server (the test run's own), the issuers in one database and the verifiers in
// another. Every process is real; every request the tests make goes through the balancer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '@shomei/shared/testing';
import { type LoadBalancer, startLoadBalancer } from '../../scripts/lib/haproxy.mjs';
import { BIN, mustRun, newSecret, type Service, startService } from '../../scripts/lib/harness.mjs';
import { freePort } from '../../scripts/lib/postgres.mjs';

export interface Cluster {
  /** The verifiers' database. */
  databaseUrl: string;
  /** The issuers' database (PostgreSQL unless `issuerOnPostgres: false`). */
  issuerDatabase: string;
  issuerUrl: string;
  verifierUrl: string;
  adminToken: string;
  apiKey: string;
  issuerSecret: string;
  verifierSecret: string;
  lb: LoadBalancer;
  issuers: Service[];
  verifiers: Service[];
  logs: string[];
  stop(): Promise<void>;
}

export interface ClusterOptions {
  verifierReplicas?: number;
  issuerReplicas?: number;
  /** The issuer on PostgreSQL (default; else on its SQLite file `<dir>/issuer-data/issuer.db`, one replica only). */
  issuerOnPostgres?: boolean;
}

export async function startCluster(dir: string, options: ClusterOptions = {}): Promise<Cluster> {
  const { verifierReplicas = 2, issuerReplicas = 2, issuerOnPostgres = true } = options;
  if (issuerReplicas > 1 && !issuerOnPostgres) throw new Error('issuer replicas share a PostgreSQL database, not a SQLite file');
  const databaseUrl = await createTestDatabase();
  const issuerDatabase = issuerOnPostgres ? await createTestDatabase() : join(dir, 'issuer-data', 'issuer.db');
  const issuerSecret = newSecret();
  const verifierSecret = newSecret();
  const adminToken = newSecret();
  const logs: string[] = [];
  const issuerPorts = await Promise.all(Array.from({ length: issuerReplicas }, () => freePort()));
  const verifierPorts = await Promise.all(Array.from({ length: verifierReplicas }, () => freePort()));
  const [issuerLbPort, verifierLbPort] = [await freePort(), await freePort()];
  const issuerUrl = `http://127.0.0.1:${issuerLbPort}`;
  const verifierUrl = `http://127.0.0.1:${verifierLbPort}`;
  const started: Service[] = [];
  let lb: LoadBalancer | undefined;
  const stopAll = async () => {
    await lb?.stop();
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    // Replicas start one after another the first time (migrations, the first signing key), then all
    // share what the first made; `startReplicasAtOnce` in the tests checks the concurrent case.
    const issuers: Service[] = [];
    for (const [i, port] of issuerPorts.entries()) {
      const issuer = await startService(
        BIN.issuer,
        [
          'serve',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--public-url',
          issuerUrl,
          '--data',
          join(dir, 'issuer-data'),
          '--sandbox',
          '--database',
          issuerDatabase,
        ],
        {
          env: { SHOMEI_ISSUER_SECRET: issuerSecret, SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
          onOutput: (t) => logs.push(`[issuer-${i + 1}] ${t}`),
        },
      );
      issuers.push(issuer);
      started.push(issuer);
    }
    // The balancer comes up before the verifiers: they fetch the issuer's keys through it at start.
    lb = await startLoadBalancer(
      [
        { name: 'issuer', port: issuerLbPort, check: '/.well-known/openid-credential-issuer', replicas: issuerPorts },
        { name: 'verifier', port: verifierLbPort, check: '/healthz', replicas: verifierPorts },
      ],
      { waitFor: ['issuer'] },
    );
    const trustFile = join(dir, 'trust.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ iss: issuerUrl }] }));
    const client = await mustRun(
      BIN.verifier,
      ['client', 'create', '--name', 'Scale Shop', '--data', join(dir, 'verifier-cli'), '--database', databaseUrl, '--json'],
      { env: { SHOMEI_VERIFIER_SECRET: verifierSecret } },
    );
    const apiKey = JSON.parse(client.stdout).api_key as string;
    const verifiers: Service[] = [];
    for (const [i, port] of verifierPorts.entries()) {
      const verifier = await startService(
        BIN.verifier,
        [
          'serve',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--public-url',
          verifierUrl,
          '--data',
          join(dir, `verifier-${i + 1}`),
          '--trust',
          trustFile,
          '--database',
          databaseUrl,
        ],
        {
          // A claim left by a killed replica is taken over after 2 s (30 s by default): the kill test waits that long.
          env: { SHOMEI_VERIFIER_SECRET: verifierSecret, SHOMEI_VERIFIER_CLAIM_TIMEOUT_SECONDS: '2' },
          onOutput: (t) => logs.push(`[verifier-${i + 1}] ${t}`),
        },
      );
      verifiers.push(verifier);
      started.push(verifier);
    }
    await lb.serving('verifier');
    return {
      databaseUrl,
      issuerDatabase,
      issuerUrl,
      verifierUrl,
      adminToken,
      apiKey,
      issuerSecret,
      verifierSecret,
      lb: lb as LoadBalancer,
      issuers,
      verifiers,
      logs,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
