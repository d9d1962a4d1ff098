import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Installs Debian's chromium, tmux, postgresql and haproxy on a clean machine (root) before any
    // test runs, then starts the run's one PostgreSQL server.
    globalSetup: ['./scripts/ensure-system-deps.mjs', './test/setup/postgres.ts'],
    // Every test server listens on 127.0.0.1: the outbound-fetch policy may reach loopback and private
    // addresses in tests (tests of the policy itself turn it off explicitly).
    env: { SHOMEI_ALLOW_PRIVATE_NETWORK: '1' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end tests start real processes; keep files from starving each other on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
