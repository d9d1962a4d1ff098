// A real load balancer for the scale tests and benchmarks: Debian's HAProxy, round-robin per request, in front of
// replicas on loopback. Each answer carries `x-shomei-replica` (the server that answered), so a test
// can see that consecutive steps of one journey landed on different replicas.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HAPROXY = '/usr/sbin/haproxy';

/** HAProxy's configuration: every frontend's replicas round-robin, a dead one taken out within a second. */
export function haproxyConfig(frontends) {
  const lines = [
    'global',
    '  maxconn 4096',
    // One line per request on stdout ("<frontend> <backend>/<server> <status>"): the test reads which
    // replica served what.
    '  log stdout format raw local0 info',
    'defaults',
    '  mode http',
    '  log global',
    '  log-format "%ft %b/%s %ST %HM %HPO"',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // Idle keep-alive connections close in order, the side that reuses them first, so that no one
    // sends a request on a connection the other end is closing: clients (Node's fetch: 4 s) before
    // the balancer (4.5 s) before the services (5 s); idle connections to the services are purged
    // within a second or two (pool-purge-delay on each server), well before the services close them.
    '  timeout http-keep-alive 4500ms',
    // A connection that fails before the request was sent is retried on another replica; a request
    // already sent is never replayed by the balancer (POSTs are not idempotent; clients decide).
    '  retries 2',
    '  option redispatch',
  ];
  for (const f of frontends) {
    lines.push(`frontend ${f.name}`, `  bind 127.0.0.1:${f.port}`, `  default_backend ${f.name}-replicas`);
    lines.push(
      `backend ${f.name}-replicas`,
      '  balance roundrobin',
      // HTTP/1.1 with a Host header: the services build URLs from it and refuse requests without one.
      '  option httpchk',
      `  http-check send meth GET uri ${f.check} ver HTTP/1.1 hdr Host 127.0.0.1`,
      '  http-check expect status 200',
      '  http-response set-header x-shomei-replica %s',
      // Checked every 500 ms, out after 3 failures: a killed replica is gone within 2 s, while a
      // replica merely slow under load (2 cores shared with the load generator) stays in.
      '  timeout check 2s',
      ...f.replicas.map((port, i) => `  server ${f.name}-${i + 1} 127.0.0.1:${port} check inter 500ms fall 3 rise 1 pool-purge-delay 1s`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts HAProxy in the foreground (`-db`) and resolves once the frontends named in `waitFor`
 * (default: all) answer through it; `serving(name)` waits for another one later.
 */
export async function startLoadBalancer(frontends, { timeoutMs = 20_000, waitFor } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(frontends));
  const child = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null) {
      await new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const serving = async (name) => {
    const f = frontends.find((x) => x.name === name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${f.port}${f.check}`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`haproxy did not serve ${name} within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    for (const name of waitFor ?? frontends.map((f) => f.name)) await serving(name);
  } catch (e) {
    await stop();
    throw e;
  }
  const servedBy = () => {
    const counts = {};
    for (const m of output.matchAll(/^\S+ \S+-replicas\/(\S+) \d+ /gm)) {
      const server = m[1];
      counts[server] = (counts[server] ?? 0) + 1;
    }
    return counts;
  };
  return { url: (name) => `http://127.0.0.1:${frontends.find((f) => f.name === name)?.port}`, serving, servedBy, stop };
}
