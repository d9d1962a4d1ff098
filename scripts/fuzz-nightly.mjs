#!/usr/bin/env node
// The nightly-style fuzz run: every property-based (fast-check) hostile-input test with many more cases
// than CI (default 200,000 per parser instead of 10,000) and a fresh random seed, printed so that a
// failure can be replayed exactly:  SHOMEI_FUZZ_SEED=<seed> SHOMEI_FUZZ_RUNS=<runs> pnpm fuzz:nightly
//   node scripts/fuzz-nightly.mjs [runs]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib/harness.mjs';

const runs = process.argv[2] ?? process.env.SHOMEI_FUZZ_RUNS ?? '200000';
const seed = process.env.SHOMEI_FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
console.log(
  `fuzz:nightly: ${runs} cases per parser, seed ${seed} (replay: SHOMEI_FUZZ_SEED=${seed} SHOMEI_FUZZ_RUNS=${runs} pnpm fuzz:nightly)`,
);
const started = Date.now();
const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'fuzz.test.ts'], {
  stdio: 'inherit',
  cwd: ROOT,
  env: { ...process.env, SHOMEI_FUZZ_RUNS: runs, SHOMEI_FUZZ_SEED: seed },
});
console.log(`fuzz:nightly: ${run.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed})`);
process.exit(run.status ?? 1);
