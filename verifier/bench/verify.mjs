#!/usr/bin/env node
// `pnpm bench` (verifier): full verification of an SD-JWT VC presentation with key binding and
// 6 disclosures — in-process, and over HTTP (POST /v1/verify on loopback, 2 workers, 50
// connections, bounded) — beside the raw ES256 floor measured in the same run, with ratios.
// Also: a 131,072-entry status list against a small one, and the HTTP ceiling (a bare node:http
// server doing only the floor's cryptography; see floorServer). The stock @sd-jwt/sd-jwt-vc verify
// is not run here: it resolves the issuer over the network, and benchmarks stay on loopback.
import cluster from 'node:cluster';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { importPublicJwk, KeyVault, parseJws } from '@shomei/shared';
import {
  createApp,
  hashApiKey,
  loadVerifierIdentity,
  openSqliteVerifierStore,
  parseTrustConfig,
  StatusListCache,
  silentLogger,
  TrustService,
  verifyPresentation,
} from '@shomei/verifier';
import { AUD, fixture, ISS, NONCE, PATHS } from './fixture.mjs';
import { loadRun, processCpuSeconds } from './load.mjs';

const API_KEY = `shv_${'b'.repeat(43)}`;
const WORKERS = Math.min(2, availableParallelism());

function caches(f) {
  const trust = new TrustService(parseTrustConfig({ issuers: [{ iss: ISS, keys: [f.issuerJwk] }] }), {
    now: () => new Date(),
    log: silentLogger,
  });
  const statusLists = new StatusListCache({ trust: trust.store, now: () => new Date() });
  statusLists.ingest(f.statusUri, ISS, f.small);
  statusLists.ingest(f.bigUri, ISS, f.big);
  return { trust, statusLists };
}

function rate(fn, ms) {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

/** rate() for an asynchronous operation, awaited one at a time. */
async function rateAsync(fn, ms) {
  for (let i = 0; i < 200; i++) await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

async function primary() {
  const f = await fixture();
  const { trust, statusLists } = caches(f);
  const [sd] = f.vp.split('~');
  const issuerJws = parseJws(sd);
  const issuerKey = createPublicKey({ key: f.issuerJwk, format: 'jwk' });
  const kbJwt = parseJws(f.vp.slice(f.vp.lastIndexOf('~') + 1));
  const p1363 = { dsaEncoding: 'ieee-p1363' };

  // The floor: what the cryptography alone costs per presentation, over signing inputs already
  // in bytes (turning strings into bytes is not cryptography, and is the verifier's to make cheap).
  const issuerInput = Buffer.from(issuerJws.signingInput, 'latin1');
  const kbInput = Buffer.from(kbJwt.signingInput, 'latin1');
  const floorOp = () => {
    if (!cryptoVerify('sha256', issuerInput, { key: issuerKey, ...p1363 }, issuerJws.signature)) throw new Error('sig');
    const holderKey = createPublicKey({ key: f.holderJwk, format: 'jwk' });
    if (!cryptoVerify('sha256', kbInput, { key: holderKey, ...p1363 }, kbJwt.signature)) throw new Error('kb');
  };
  // The same with the holder key imported the way verifyPresentation imports it (a raw EC point
  // through WebCrypto; see importPublicJwk): the cryptography at its cheapest, printed beside.
  const floorRawPointOp = async () => {
    if (!cryptoVerify('sha256', issuerInput, { key: issuerKey, ...p1363 }, issuerJws.signature)) throw new Error('sig');
    const holderKey = await importPublicJwk(f.holderJwk);
    if (!cryptoVerify('sha256', kbInput, { key: holderKey, ...p1363 }, kbJwt.signature)) throw new Error('kb');
  };
  const rawOp = () => cryptoVerify('sha256', issuerInput, { key: issuerKey, ...p1363 }, issuerJws.signature);

  const opts = { trust, statusLists, expectedNonce: NONCE, expectedAud: AUD, requireKeyBinding: true, requiredPaths: PATHS };
  const check = async (vp) => {
    const r = await verifyPresentation(vp, { ...opts, now: new Date() });
    if (!r.valid) throw new Error(`bench presentation rejected: ${r.errors.map((e) => e.code)}`);
  };
  await check(f.vp);
  await check(f.vpBig);
  // Interleaved rounds, best of each: other processes on a shared 2-core machine hit all alike.
  const best = { floor: 0, floorRawPoint: 0, raw: 0, inProcess: 0, inProcessBig: 0 };
  // The order turns each round, so that no measurement always runs right after the same other one.
  // With a fixed order, the raw-point floor measured right after the JWK floor came out at 97% of
  // it (two runs); measured first, at 106-109%. Probably the garbage each leaves for the next one's
  // GC (key objects with native handles).
  const measurements = [
    ['floor', () => rate(floorOp, 400)],
    ['floorRawPoint', () => rateAsync(floorRawPointOp, 400)],
    ['raw', () => rate(rawOp, 200)],
    ['inProcess', () => rateAsync(() => check(f.vp), 400)],
    ['inProcessBig', () => rateAsync(() => check(f.vpBig), 400)],
  ];
  for (let round = 0; round < 2 * measurements.length; round++) {
    for (let i = 0; i < measurements.length; i++) {
      const [name, measure] = measurements[(round + i) % measurements.length];
      best[name] = Math.max(best[name], await measure());
    }
  }
  const { floor, floorRawPoint, raw: rawEs256, inProcess, inProcessBig } = best;

  // Over HTTP: the verifier app in N worker processes, loopback only. The load generator shares
  // the 2 cores with the servers: wrk (C, ~35 µs of CPU per request here) when installed, else
  // autocannon (Node, ~95 µs). Server CPU per request is read from /proc, so the figures can be
  // told apart from the load generator's share.
  async function overHttp(nWorkers, seconds, server = 'app') {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const workers = [];
    for (let i = 0; i < nWorkers; i++) {
      if (process.env.BENCH_WORKER_PROFILE) cluster.setupPrimary({ execArgv: ['--cpu-prof', '--cpu-prof-dir=/tmp/wprof'] });
      const w = cluster.fork({ BENCH_FIXTURE: JSON.stringify(f), BENCH_PORT: String(port), BENCH_SERVER: server });
      workers.push(w);
      await new Promise((r) => w.once('message', r));
    }
    const body = JSON.stringify({ presentation: f.vp, nonce: NONCE, aud: AUD, claims: PATHS });
    const url = `http://127.0.0.1:${port}/v1/verify`;
    const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const serverCpu = () => workers.reduce((sum, w) => sum + processCpuSeconds(w.process.pid), 0);
    await loadRun(url, headers, body, 1); // warm-up (JIT, connections), not counted
    const cpu0 = serverCpu();
    const res = await loadRun(url, headers, body, seconds);
    res.serverCpuPerRequest = ((serverCpu() - cpu0) * 1e6) / Math.max(res.total, 1);
    for (const w of workers) w.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    return res;
  }
  const http1 = await overHttp(1, 5);
  const http = await overHttp(WORKERS, 8);
  const ceiling = await overHttp(WORKERS, 8, 'floor');
  const okRate = http.rate;
  const non2xx = http.failed + http1.failed + ceiling.failed;

  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  const r = (x) => x.toFixed(0).padStart(7);
  console.log(`verifier bench (node ${process.version}, ${availableParallelism()} cores, ${WORKERS} HTTP workers)`);
  console.log(`  raw ES256 verify                         ${r(rawEs256)} /s`);
  console.log(`  floor (ES256 + JWK import + ES256)       ${r(floor)} /s`);
  console.log(`  floor, holder key imported as a raw point ${r(floorRawPoint)} /s   (the import verifyPresentation makes)`);
  console.log(`  verifyPresentation in-process            ${r(inProcess)} /s   ${pct(inProcess / floor)} of floor (target >= 80%)`);
  console.log(`    against the raw-point floor                      ${pct(inProcess / floorRawPoint)}`);
  console.log(`  ... with a 131,072-entry status list     ${r(inProcessBig)} /s   ${pct(inProcessBig / inProcess)} of the small-list rate`);
  console.log(`  load generator                           ${http.generator}`);
  console.log(
    `  POST /v1/verify, 1 worker, 50 conns, 5 s  ${r(http1.rate)} /s   ${pct(http1.rate / floor)} of 1x floor; p50 ${http1.p50} ms, p99 ${http1.p99} ms`,
  );
  console.log(
    `  POST /v1/verify, ${WORKERS} workers, 50 conns, 8 s ${r(okRate)} /s   ${pct(okRate / (2 * floor))} of 2x floor (target >= 60%)`,
  );
  console.log(`    latency p50 ${http.p50} ms, p99 ${http.p99} ms (target <= 15); non-2xx/errors ${non2xx}`);
  console.log(
    `    CPU per request: server ${http.serverCpuPerRequest.toFixed(0)} µs (verifyPresentation alone ${(1e6 / inProcess).toFixed(0)} µs), load generator ${http.loadGenCpuPerRequest.toFixed(0)} µs`,
  );
  console.log(
    `  ceiling: bare node:http, floor crypto only ${r(ceiling.rate)} /s   ${pct(ceiling.rate / (2 * floor))} of 2x floor; p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`,
  );
  if (non2xx > 0) process.exitCode = 1;
}

/** The verifier app as a business would run it (in-memory store, one API client), over the fixture's caches. */
async function benchApp(f) {
  const { trust, statusLists } = caches(f);
  const store = openSqliteVerifierStore(':memory:');
  const vault = KeyVault.open(store.db, 'bench');
  const identity = await loadVerifierIdentity(vault, 'http://127.0.0.1');
  await store.clients.insert({ id: 'bench', name: 'Bench', keyHash: hashApiKey(API_KEY), createdAt: Date.now() });
  const app = createApp({
    store,
    identity,
    sealer: vault,
    trust,
    statusLists,
    baseUrl: 'http://127.0.0.1',
    now: () => new Date(),
    log: silentLogger,
  });
  return { trust, statusLists, store, app };
}

async function worker() {
  const f = JSON.parse(process.env.BENCH_FIXTURE);
  if (process.env.BENCH_SERVER === 'floor') return floorServer(f);
  const { store, app } = await benchApp(f);
  // The hot path must not write evidence synchronously; in a bench the queue is flushed but the rows dropped periodically.
  setInterval(() => store.db.exec('DELETE FROM evidence'), 1000).unref();
  const { serve } = await import('@hono/node-server');
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
  server.once('listening', () => process.send?.('ready'));
  process.once('SIGTERM', () => process.exit(0));
}

/**
 * The ceiling for any verifier over HTTP on this machine: node:http with no framework, whose handler
 * reads the body and then does only the floor's cryptography (issuer verify, holder JWK import, key
 * binding verify) on the fixture. Nothing a real verifier must do (parse, check, authenticate, keep
 * evidence) is done, so no verifier can beat this rate with the same load generator on the same cores.
 */
async function floorServer(f) {
  const { createServer } = await import('node:http');
  const issuerJws = parseJws(f.vp.split('~')[0]);
  const kbJwt = parseJws(f.vp.slice(f.vp.lastIndexOf('~') + 1));
  const issuerKey = createPublicKey({ key: f.issuerJwk, format: 'jwk' });
  const issuerInput = Buffer.from(issuerJws.signingInput, 'latin1');
  const kbInput = Buffer.from(kbJwt.signingInput, 'latin1');
  const p1363 = { dsaEncoding: 'ieee-p1363' };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const holderKey = createPublicKey({ key: f.holderJwk, format: 'jwk' });
      const valid =
        cryptoVerify('sha256', issuerInput, { key: issuerKey, ...p1363 }, issuerJws.signature) &&
        cryptoVerify('sha256', kbInput, { key: holderKey, ...p1363 }, kbJwt.signature);
      res.writeHead(valid ? 200 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ valid, bytes: Buffer.concat(chunks).length }));
    });
  });
  server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => process.send?.('ready'));
  process.once('SIGTERM', () => process.exit(0));
}

if (process.env.BENCH_PROFILE) await profile();
else if (cluster.isPrimary) await primary();
else await worker();

async function profile() {
  const f = await fixture();
  const { trust, statusLists, app } = await benchApp(f);
  const body = JSON.stringify({ presentation: f.vp, nonce: NONCE, aud: AUD, claims: PATHS });
  const opts = { trust, statusLists, expectedNonce: NONCE, expectedAud: AUD, requireKeyBinding: true, requiredPaths: PATHS };
  let n = 0;
  let t = performance.now();
  while (performance.now() - t < 2000) {
    await verifyPresentation(f.vp, { ...opts, now: new Date() });
    n++;
  }
  console.log('in-process', n / 2);
  n = 0;
  t = performance.now();
  while (performance.now() - t < 2000) {
    const res = await app.request('/v1/verify', {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 200) throw new Error(await res.text());
    await res.text();
    n++;
  }
  console.log('app.request', n / 2);
}
