// Starts Shomei's real services and runs its real CLIs as separate processes: used by
// `pnpm start`, `pnpm demo` and the end-to-end tests, so that all three drive the same binaries.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = {
  issuer: join(ROOT, 'issuer', 'bin', 'shomei-issuer.js'),
  verifier: join(ROOT, 'verifier', 'bin', 'shomei-verifier.js'),
  wallet: join(ROOT, 'holder-cli', 'bin', 'shomei.js'),
};

/**
 * Everything these scripts start runs on 127.0.0.1, so the services and the wallet may fetch from
 * loopback (the outbound-fetch policy refuses it otherwise). A caller's `env` can turn it off again.
 */
export const LOOPBACK_NETWORK_ENV = { SHOMEI_ALLOW_PRIVATE_NETWORK: '1' };

/** A random secret for a service's key vault or an admin token. */
export function newSecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * Spawns a service and resolves once it prints `listening on <url>`. The child is killed if the
 * parent exits, and on timeout.
 */
export function startService(bin, args, { env = {}, timeoutMs = 30_000, onOutput } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...LOOPBACK_NETWORK_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      onOutput?.(text);
      const m = output.match(/listening on (\S+)/);
      if (m && timer) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              process.off('exit', killOnExit);
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => {
      output += c.toString();
      onOutput?.(c.toString());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited with ${code} before listening:\n${output}`));
    });
  });
}

/** Runs a CLI to completion; resolves with its exit code and output (never rejects on exit code). */
export function runCli(bin, args, { env = {}, input, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...LOOPBACK_NETWORK_ENV, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args[0]} timed out:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Like runCli, but throws with the output when the exit code is not 0. */
export async function mustRun(bin, args, options) {
  const r = await runCli(bin, args, options);
  if (r.code !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The identity the sandbox demo issues to (a fictional person). */
export const DEMO_IDENTITY = SAMPLE_IDENTITY;

/**
 * A sandbox offer made the way an operator makes one: `shomei-issuer sandbox offer --identity <file> --json`,
 * with `identity` written to a file under `dir` for the command and removed after it (a test may search `dir`
 * for personal data). Returns the command's JSON (`offer_uri`, `offer_uri_by_reference`, `tx_code`, …).
 */
export async function sandboxOfferByCli(issuerUrl, adminToken, dir, identity = DEMO_IDENTITY) {
  const identityFile = join(dir, `identity-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(identityFile, JSON.stringify(identity));
  try {
    const out = await mustRun(BIN.issuer, ['sandbox', 'offer', '--issuer', issuerUrl, '--identity', identityFile, '--json'], {
      env: { SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
    });
    return JSON.parse(out.stdout);
  } finally {
    rmSync(identityFile, { force: true });
  }
}

/**
 * Starts an issuer (sandbox on) and a verifier trusting it, on ports the OS picks, with their
 * data under `dataDir`; creates one business client. Returns everything a journey needs.
 */
export async function startNetwork(dataDir, { onOutput, ports = { issuer: 0, verifier: 0 }, secrets = {} } = {}) {
  const issuerSecret = secrets.issuerSecret ?? newSecret();
  const adminToken = secrets.adminToken ?? newSecret();
  const verifierSecret = secrets.verifierSecret ?? newSecret();
  const issuer = await startService(
    BIN.issuer,
    ['serve', '--host', '127.0.0.1', '--port', String(ports.issuer), '--data', join(dataDir, 'issuer'), '--sandbox'],
    {
      env: { SHOMEI_ISSUER_SECRET: issuerSecret, SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
      onOutput: onOutput && ((t) => onOutput('issuer', t)),
    },
  );
  try {
    const trustFile = join(dataDir, 'trust.json');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ iss: issuer.url }] }, null, 2));
    let apiKey = secrets.apiKey;
    if (!apiKey) {
      const client = await mustRun(
        BIN.verifier,
        ['client', 'create', '--name', 'Demo Shop', '--data', join(dataDir, 'verifier'), '--json'],
        {
          env: { SHOMEI_VERIFIER_SECRET: verifierSecret },
        },
      );
      apiKey = JSON.parse(client.stdout).api_key;
    }
    const verifier = await startService(
      BIN.verifier,
      ['serve', '--host', '127.0.0.1', '--port', String(ports.verifier), '--data', join(dataDir, 'verifier'), '--trust', trustFile],
      { env: { SHOMEI_VERIFIER_SECRET: verifierSecret }, onOutput: onOutput && ((t) => onOutput('verifier', t)) },
    );
    return {
      issuer,
      verifier,
      adminToken,
      apiKey,
      stop: async () => {
        await Promise.all([issuer.stop(), verifier.stop()]);
      },
    };
  } catch (e) {
    await issuer.stop();
    throw e;
  }
}

/** A business asks the verifier for a presentation; returns {id, request_uri, …}. */
export async function createPresentationRequest(verifierUrl, apiKey, body) {
  const res = await fetch(`${verifierUrl}/v1/presentation-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 201) throw new Error(`creating the presentation request failed: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function getPresentationRequest(verifierUrl, apiKey, id) {
  const res = await fetch(`${verifierUrl}/v1/presentation-requests/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  return res.json();
}
