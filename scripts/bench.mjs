#!/usr/bin/env node
// `pnpm bench`: runs each package's own `bench` script, one after another (benchmarks on a
// 2-core machine must not compete with each other), and fails if any of them fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BENCH_DEPS, ensureSystemDeps } from './ensure-system-deps.mjs';
import { ROOT } from './lib/harness.mjs';

const packages = ['shared', 'issuer', 'verifier', 'holder-cli'];
const only = process.argv.slice(2);
const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };
try {
  ensureSystemDeps({ deps: BENCH_DEPS });
} catch (e) {
  // Not fatal: the verifier bench falls back to autocannon and says so.
  console.log(`note: ${e instanceof Error ? e.message : e}`);
}
let failed = 0;
for (const pkg of packages) {
  if (only.length && !only.includes(pkg)) continue;
  const manifest = join(ROOT, pkg, 'package.json');
  if (!existsSync(manifest)) continue;
  const script = JSON.parse(readFileSync(manifest, 'utf8')).scripts?.bench;
  if (!script) continue;
  console.log(`\n== ${pkg}: ${script}`);
  const run = spawnSync('sh', ['-c', script], { cwd: join(ROOT, pkg), stdio: 'inherit', env });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
