#!/usr/bin/env node
// Batch issuance in direct mode through the real CLI (worker threads, SQLite file, outputs on
// disk), beside the raw ES256 sign rate measured in the same run. BENCH_BATCH_RECORDS sets the
// size (default 200,000; the issue's target run is 1,000,000).
import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEs256KeyPair } from '@shomei/shared';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';

const RECORDS = Number(process.env.BENCH_BATCH_RECORDS ?? 200_000);
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'shomei-issuer.js');
const dir = mkdtempSync(join(tmpdir(), 'shomei-batch-bench-'));

// Raw single-core ES256 signing of a credential-sized input, measured before and after the batch:
// this machine's speed drifts by ±10% between minutes, and the ratio is taken against the faster
// of the two (the stricter reading).
const { privateKey } = generateEs256KeyPair();
function rawSignRate() {
  const input = Buffer.alloc(1400, 120);
  for (let i = 0; i < 2000; i++) sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  let n = 0;
  const t0 = process.hrtime.bigint();
  while (process.hrtime.bigint() - t0 < 1_500_000_000n) {
    for (let i = 0; i < 100; i++) sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    n += 100;
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}
const rawBefore = rawSignRate();

// The input: distinct customers; holder keys drawn from a pool of 1,000 (key generation would
// otherwise dominate the set-up, and every row's key is still checked).
const holderKeys = Array.from({ length: 1000 }, () => generateEs256KeyPair().publicJwk);
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

try {
  const started = process.hrtime.bigint();
  const stdout = execFileSync(
    process.execPath,
    [bin, 'batch', file, '--mode', 'direct', '--data', join(dir, 'data'), '--public-url', 'https://issuer.example.jp', '--json'],
    { env: { ...process.env, SHOMEI_ISSUER_SECRET: 'bench secret' }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 },
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const rawAfter = rawSignRate();
  const rawPerSec = Math.max(rawBefore, rawAfter);
  const s = JSON.parse(stdout.toString());
  const rate = s.issued / s.seconds;
  const perCore = rate / Math.max(s.coresUsed, 1);
  console.log(`records                         ${s.issued.toLocaleString('en-US')} (direct mode, ${availableParallelism()} cores)`);
  console.log(
    `raw ES256 sign, one core        ${rawPerSec.toFixed(0)} /s (before ${rawBefore.toFixed(0)}, after ${rawAfter.toFixed(0)}: the faster counts)`,
  );
  console.log(
    `batch issuance                  ${rate.toFixed(0)} credentials/s  (${s.seconds.toFixed(1)} s in the batch, ${wall.toFixed(1)} s with start-up)`,
  );
  console.log(`cores kept busy                 ${s.coresUsed}`);
  console.log(
    `per core                        ${perCore.toFixed(0)} /s = ${((perCore / rawPerSec) * 100).toFixed(0)}% of raw sign (target >= 40%)`,
  );
  console.log(`peak RSS                        ${s.peakRssMb} MB (target < 512 MB)`);
  console.log(`1,000,000 records at this rate  ${(1e6 / rate).toFixed(0)} s (target <= 90 s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
