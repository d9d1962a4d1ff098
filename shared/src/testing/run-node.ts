import { spawn } from 'node:child_process';

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Node script (a package's `bin/…js`) as a child process with this process's environment plus `env`.
 * `input`, when given, is written to its stdin and stdin closed. Asynchronous on purpose: a stand-in server
 * in the test's own process must keep answering while the child runs.
 */
export function runNode(script: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<NodeRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
