#!/usr/bin/env node
// The test suite drives a real browser (Debian's chromium) and a real terminal (tmux), and runs the
// services on a real PostgreSQL server behind a real load balancer (haproxy). A clean
// machine has neither: install them from Debian's packages when running as root (CI, a fresh
// container), or say exactly what to install otherwise. Used as vitest's globalSetup and runnable
// by hand: `node scripts/ensure-system-deps.mjs`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** binary → Debian package; `*` stands for a version folder (Debian keeps PostgreSQL's binaries per major version). */
export const SYSTEM_DEPS = {
  '/usr/bin/chromium': 'chromium',
  '/usr/bin/tmux': 'tmux',
  '/usr/lib/postgresql/*/bin/initdb': 'postgresql',
  '/usr/sbin/haproxy': 'haproxy',
};
/**
 * What `pnpm bench` needs: wrk, an HTTP load generator in C that leaves the servers more of the 2
 * cores, and PostgreSQL and HAProxy for the replica benchmarks.
 */
export const BENCH_DEPS = { '/usr/bin/wrk': 'wrk', '/usr/lib/postgresql/*/bin/initdb': 'postgresql', '/usr/sbin/haproxy': 'haproxy' };

export function missingSystemDeps(deps = SYSTEM_DEPS) {
  return Object.entries(deps)
    .filter(([bin]) => !binaryExists(bin))
    .map(([, pkg]) => pkg);
}

function binaryExists(pattern) {
  const star = pattern.indexOf('/*/');
  if (star < 0) return existsSync(pattern);
  const parent = pattern.slice(0, star);
  const rest = pattern.slice(star + 3);
  if (!existsSync(parent)) return false;
  return readdirSync(parent).some((version) => existsSync(join(parent, version, rest)));
}

export function ensureSystemDeps({ log = console.log, deps = SYSTEM_DEPS } = {}) {
  const missing = missingSystemDeps(deps);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('which', ['apt-get']).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      `missing system packages: ${missing.join(', ')}. Install them (Debian: sudo apt-get install -y ${missing.join(' ')}) and run again.`,
    );
  }
  log(`installing system packages: ${missing.join(', ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = missingSystemDeps(deps);
  if (still.length) throw new Error(`apt-get did not provide: ${still.join(', ')}`);
}

/** vitest globalSetup entry point. */
export default function setup() {
  ensureSystemDeps();
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemDeps();
