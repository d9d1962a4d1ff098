#!/usr/bin/env node
// Batch issuance across processes (issue 16): the same direct-mode job, in one run, (a) by one
// `shomei-issuer batch` on its SQLite file, (b) by one `batch --worker` process on PostgreSQL and
// (c) by two `--worker` processes sharing the job on PostgreSQL (chunks claimed with FOR UPDATE
// SKIP LOCKED). Each process signs on one thread (--workers 1), so the cases differ only in where
// the job lives and how many processes share it. On this 2-core machine (c) shares the cores with
// PostgreSQL: it shows the cost of sharing, and what a second core buys, not a second machine.
// BENCH_WORKER_RECORDS sets the size (default 20,000).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEs256KeyPair, PostgresDatabase } from '@shomei/shared';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';
import { startPostgresServer } from '../../scripts/lib/postgres.mjs';

const RECORDS = Number(process.env.BENCH_WORKER_RECORDS ?? 20_000);
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'shomei-issuer.js');
const dir = mkdtempSync(join(tmpdir(), 'shomei-batch-workers-bench-'));
const env = { ...process.env, SHOMEI_ISSUER_SECRET: 'bench secret' };

const holderKeys = Array.from({ length: 200 }, () => generateEs256KeyPair().publicJwk);
const file = join(dir, 'customers.jsonl');
const out = createWriteStream(file);
for (let i = 0; i < RECORDS; i++) {
  const row = {
    external_id: `c${i}`,
    identity: { ...SAMPLE_IDENTITY, address: { ...SAMPLE_IDENTITY.address, street_address: `千代田${i % 1000}-1` } },
    proofing: { method: 'reliance', assurance_level: 'IAL2', time: '2026-10-01T00:00:00Z' },
    holder_jwk: holderKeys[i % holderKeys.length],
  };
  if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise((r) => out.once('drain', r));
}
await new Promise((r) => out.end(r));

/** Runs `processes` batch commands on one job at once; the wall time from the first start to the last exit. */
async function run(name, processes, database, extra) {
  const data = join(dir, name);
  const args = [bin, 'batch', file, '--mode', 'direct', '--data', data, '--public-url', 'https://issuer.example.jp'];
  args.push('--workers', '1', '--chunk', '500', '--json', ...(database ? ['--database', database] : []), ...extra);
  const started = process.hrtime.bigint();
  const summaries = await Promise.all(
    Array.from({ length: processes }, () => {
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      return new Promise((resolve, reject) =>
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`${name}: batch exited ${code}`)))),
      );
    }),
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const issued = Math.max(...summaries.map((s) => s.issued));
  if (issued !== RECORDS) throw new Error(`${name}: ${issued} of ${RECORDS} issued`);
  return RECORDS / wall;
}

const pg = await startPostgresServer();
try {
  const database = async (name) => {
    const server = await PostgresDatabase.connect(pg.url, { max: 1 });
    await server.exec(`CREATE DATABASE ${name}`);
    await server.close();
    const url = new URL(pg.url);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const sqlite = await run('sqlite', 1, undefined, []);
  const pgOne = await run('pg-one', 1, await database('bench_one'), ['--worker']);
  const pgTwo = await run('pg-two', 2, await database('bench_two'), ['--worker']);
  const line = (label, rate, note = '') => console.log(`${label.padEnd(44)} ${rate.toFixed(0).padStart(6)} records/s${note}`);
  console.log(
    `records per case                             ${RECORDS.toLocaleString('en-US')} (direct mode, one signing thread per process)`,
  );
  line('one process, SQLite file', sqlite);
  line('one --worker process, PostgreSQL', pgOne, `  = ${(pgOne / sqlite).toFixed(2)}x SQLite`);
  line('two --worker processes on one job, PostgreSQL', pgTwo, `  = ${(pgTwo / pgOne).toFixed(2)}x one worker`);
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
