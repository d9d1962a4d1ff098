#!/usr/bin/env node
// `pnpm bench` (verifier, beyond one machine): POST /v1/verify against real `shomei-verifier serve`
// processes, in one run: (a) one process on its SQLite file, as `pnpm start` runs it; (b) two
// replicas on one PostgreSQL database behind HAProxy (round-robin). Same load generator, same
// presentation, same 2 cores. On one machine the replicas share the cores with PostgreSQL, HAProxy and
// the load generator, so (b) shows what the network hops and the shared database cost per request;
// it cannot show scaling, which needs a second machine.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresDatabase } from '@shomei/shared';
import { startLoadBalancer } from '../../scripts/lib/haproxy.mjs';
import { BIN, mustRun, newSecret, startService } from '../../scripts/lib/harness.mjs';
import { freePort, startPostgresServer } from '../../scripts/lib/postgres.mjs';
import { AUD, fixture, NONCE, PATHS } from './fixture.mjs';
import { loadRun, processCpuSeconds } from './load.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 50;

const dir = mkdtempSync(join(tmpdir(), 'shomei-bench-replicas-'));
const cleanups = [];
try {
  const pgServer = await startPostgresServer();
  cleanups.push(() => pgServer.stop());
  const databaseUrl = await createDatabase(pgServer.url, 'bench');

  // The issuer is a bare server handing out the fixture's status list (the verifier fetches it once
  // and caches it); its keys are in the trust file, as an operator may pin them.
  const issuerPort = await freePort();
  const f = await fixture(`http://127.0.0.1:${issuerPort}`);
  const issuer = createServer((req, res) => {
    res.writeHead(req.url === '/status-lists/1' ? 200 : 404, { 'content-type': 'application/statuslist+jwt' });
    res.end(req.url === '/status-lists/1' ? f.small : '');
  }).listen(issuerPort, '127.0.0.1');
  cleanups.push(() => new Promise((r) => issuer.close(r)));
  const trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify({ issuers: [{ iss: f.iss, keys: [f.issuerJwk] }] }));
  const env = { SHOMEI_VERIFIER_SECRET: newSecret() };
  const body = JSON.stringify({ presentation: f.vp, nonce: NONCE, aud: AUD, claims: PATHS });

  const measure = async (url, apiKey, serverPids) => {
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    await loadRun(`${url}/v1/verify`, headers, body, 1, CONNECTIONS); // warm-up: JIT, connections, status list
    const pids = serverPids(); // after the warm-up: PostgreSQL's pooled backends are up by now
    const cpu = () => pids.reduce((sum, pid) => sum + cpuSecondsOrZero(pid), 0);
    const cpu0 = cpu();
    const run = await loadRun(`${url}/v1/verify`, headers, body, SECONDS, CONNECTIONS);
    return { ...run, serverCpuPerRequest: ((cpu() - cpu0) * 1e6) / Math.max(run.total, 1) };
  };

  // (a) One process, SQLite.
  const sqliteData = join(dir, 'sqlite');
  const sqliteKey = await createClient(['--data', sqliteData], env);
  const single = await startService(
    BIN.verifier,
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data', sqliteData, '--trust', trustFile],
    { env },
  );
  const a = await measure(single.url, sqliteKey, () => [single.child.pid]);
  await single.stop();

  // (b) Two replicas, PostgreSQL, HAProxy.
  const lbPort = await freePort();
  const ports = [await freePort(), await freePort()];
  const pgKey = await createClient(['--data', join(dir, 'cli'), '--database', databaseUrl], env);
  const replicas = [];
  for (const [i, port] of ports.entries()) {
    const replica = await startService(
      BIN.verifier,
      [
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--public-url',
        `http://127.0.0.1:${lbPort}`,
        '--data',
        join(dir, `replica-${i + 1}`),
        '--trust',
        trustFile,
        '--database',
        databaseUrl,
      ],
      { env },
    );
    replicas.push(replica);
    cleanups.push(() => replica.stop());
  }
  const lb = await startLoadBalancer([{ name: 'verifier', port: lbPort, check: '/healthz', replicas: ports }]);
  cleanups.push(() => lb.stop());
  const b = await measure(lb.url('verifier'), pgKey, () => [
    ...replicas.map((r) => r.child.pid),
    ...processesNamed('postgres'),
    ...processesNamed('haproxy'),
  ]);
  const served = lb.servedBy();

  const r = (x) => x.toFixed(0).padStart(6);
  console.log(`verifier replicas bench (POST /v1/verify, ${a.generator}, ${SECONDS} s each)`);
  console.log(
    `  (a) 1 process, SQLite                  ${r(a.rate)} /s   p50 ${a.p50} ms, p99 ${a.p99} ms; server CPU ${a.serverCpuPerRequest.toFixed(0)} µs/request`,
  );
  console.log(
    `  (b) 2 replicas, PostgreSQL, HAProxy    ${r(b.rate)} /s   p50 ${b.p50} ms, p99 ${b.p99} ms; CPU (replicas + PostgreSQL + HAProxy) ${b.serverCpuPerRequest.toFixed(0)} µs/request`,
  );
  console.log(
    `      answered by ${Object.entries(served)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  (b)/(a): ${(b.rate / a.rate).toFixed(2)}x the rate, ${(b.serverCpuPerRequest / a.serverCpuPerRequest).toFixed(2)}x the CPU per request`,
  );
  const failed = a.failed + b.failed;
  if (failed > 0) {
    console.log(`  non-2xx/errors: ${failed}`);
    for (const [i, replica] of replicas.entries()) console.log(`  replica ${i + 1} said:\n${replica.output().slice(-1500)}`);
    process.exitCode = 1;
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

async function createClient(args, env) {
  const out = await mustRun(BIN.verifier, ['client', 'create', '--name', 'Bench', ...args, '--json'], { env });
  return JSON.parse(out.stdout).api_key;
}

async function createDatabase(serverUrl, name) {
  const server = await PostgresDatabase.connect(serverUrl, { max: 1 });
  await server.exec(`CREATE DATABASE ${name}`);
  await server.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A process that has exited since (a PostgreSQL backend) counts as no CPU. */
function cpuSecondsOrZero(pid) {
  try {
    return processCpuSeconds(pid);
  } catch {
    return 0;
  }
}

/** Pids of every process whose command is `name` (PostgreSQL's backends, HAProxy), from /proc. */
function processesNamed(name) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}
