// The load generator the verifier benchmarks share: wrk when installed (C, ~35 µs of CPU per request
// here), else autocannon (Node, ~95 µs), with the CPU it and the servers spend read from /proc, so
// that the servers' cost per request can be told apart from the load generator's on 2 cores.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const WRK = '/usr/bin/wrk';
const execFileAsync = promisify(execFile);

/** User + system CPU seconds of a process so far (Linux /proc). */
export function processCpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One bounded load run: wrk when installed, else autocannon. Latencies in ms. */
export async function loadRun(url, headers, body, seconds, connections = 50) {
  if (existsSync(WRK)) {
    const script = join(mkdtempSync(join(tmpdir(), 'shomei-wrk-')), 'post.lua');
    const lua = [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(body)}`];
    for (const [k, v] of Object.entries(headers)) lua.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
    writeFileSync(script, `${lua.join('\n')}\n`);
    const childCpu0 = childrenCpuSeconds();
    // Asynchronous: the cluster primary (this process) must keep handing connections to the workers.
    const { stdout } = await execFileAsync(WRK, [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '--latency',
      '-s',
      script,
      url,
    ]);
    rmSync(dirname(script), { recursive: true, force: true });
    const total = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
    const latency = (q) => {
      const m = new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
      return m ? Number((Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]]).toFixed(2)) : Number.NaN;
    };
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0;
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    const childCpu = (childrenCpuSeconds() - childCpu0) * 1e6;
    return {
      generator: `wrk (1 thread, ${connections} connections)`,
      rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
      total,
      p50: latency(50),
      p99: latency(99),
      failed: Number(errors) + (socketErrors ? socketErrors.slice(1).reduce((n, x) => n + Number(x), 0) : 0),
      loadGenCpuPerRequest: childCpu / Math.max(total, 1),
    };
  }
  const { default: autocannon } = await import('autocannon');
  const cpu0 = process.cpuUsage();
  const res = await autocannon({ url, method: 'POST', headers, body, connections, duration: seconds, timeout: 5 });
  const cpu = process.cpuUsage(cpu0);
  return {
    generator: `autocannon (${connections} connections; install wrk for a lighter load generator)`,
    rate: res.requests.average,
    total: res.requests.total,
    p50: res.latency.p50,
    p99: res.latency.p99,
    failed: res.non2xx + res.errors,
    loadGenCpuPerRequest: (cpu.user + cpu.system) / Math.max(res.requests.total, 1),
  };
}

/** CPU seconds of this process's waited-for children (Linux /proc: cutime + cstime). */
function childrenCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
