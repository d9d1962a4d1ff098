// Crash faults across real processes: kill -9 of the issuer during issuance and of the verifier during
// responses, then a restart on the same data. (kill -9 of a batch mid-run: test/batch.test.ts.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  createPresentationRequest,
  DEMO_IDENTITY,
  getPresentationRequest,
  mustRun,
  newSecret,
  type Service,
  startService,
} from '../../scripts/lib/harness.mjs';
import { answerFor, cNonce, credentialRequest, type Prepared, postResponse, prepareHolders, proof, statusIdx } from './client.js';

let dir: string;
const issuerSecret = newSecret();
const adminToken = newSecret();
const verifierSecret = newSecret();
let issuer: Service;
let verifier: Service | undefined;
let port: number;

const issuerEnv = { SHOMEI_ISSUER_SECRET: issuerSecret, SHOMEI_ISSUER_ADMIN_TOKEN: adminToken };
const startIssuer = (p: number) =>
  startService(BIN.issuer, ['serve', '--host', '127.0.0.1', '--port', String(p), '--data', join(dir, 'issuer'), '--sandbox'], {
    env: issuerEnv,
  });

function killed(s: Service): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-faults-'));
  issuer = await startIssuer(0);
  port = Number(new URL(issuer.url).port);
}, 60_000);
afterAll(async () => {
  await issuer?.stop();
  await verifier?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function auditEntries(): Promise<{ action: string; data: unknown }[]> {
  const out = await mustRun(BIN.issuer, ['audit', 'export', '--data', join(dir, 'issuer')], { env: issuerEnv });
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { action: string; data: unknown });
}

describe('faults', () => {
  it('kill -9 of the issuer during 150 parallel issuances: after restart none lost or duplicated, audit chain intact', async () => {
    const holders = await prepareHolders(issuer.url, adminToken, DEMO_IDENTITY, 150);
    const issuedBefore = (await auditEntries()).filter((e) => e.action === 'credential.issued').length;
    let done = 0;
    const victim = issuer;
    const outcomes = await Promise.all(
      holders.map(async (p) => {
        try {
          const res = await credentialRequest(victim.url, p.token, proof(p.holder, victim.url, p.nonce));
          const body = (await res.json()) as { credentials?: { credential: string }[] };
          if (++done === 20) void killed(victim);
          return { p, status: res.status, credential: body.credentials?.[0]?.credential };
        } catch {
          return { p, status: 0, credential: undefined };
        }
      }),
    );
    await killed(victim);
    const received = outcomes.filter((o) => o.status === 200).map((o) => o.credential as string);
    const cut = outcomes.filter((o) => o.status !== 200);
    expect(received.length).toBeGreaterThanOrEqual(20);
    expect(cut.length).toBeGreaterThan(0);

    issuer = await startIssuer(port);
    const audit = await mustRun(BIN.issuer, ['audit', 'verify', '--data', join(dir, 'issuer'), '--json'], { env: issuerEnv });
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });

    // The holders whose answer was cut retry with a fresh nonce: issued now, or refused because their
    // token was spent by an issuance that committed just before the kill (never both, never twice).
    let spentUnseen = 0;
    for (const o of cut) {
      const res = await credentialRequest(issuer.url, o.p.token, proof(o.p.holder, issuer.url, await cNonce(issuer.url)));
      if (res.status === 200)
        received.push(((await res.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential as string);
      else {
        expect(res.status).toBe(401);
        spentUnseen++;
      }
    }
    const issuedRows = (await auditEntries()).filter((e) => e.action === 'credential.issued').length - issuedBefore;
    expect(issuedRows).toBe(received.length + spentUnseen);
    expect(received.length + spentUnseen).toBe(150);
    expect(new Set(received.map(statusIdx)).size).toBe(received.length);
    console.log(`issuer kill -9: ${received.length} delivered, ${spentUnseen} committed but cut before the answer, 0 lost, 0 duplicated`);
  }, 180_000);

  it('kill -9 of the verifier during 30 parallel responses: after restart each request completes exactly once, with one evidence record', async () => {
    const trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ iss: issuer.url }] }));
    const vdata = join(dir, 'verifier');
    // A claim abandoned by the killed process may be taken over after 2 s here (30 s by default).
    const venv = { SHOMEI_VERIFIER_SECRET: verifierSecret, SHOMEI_VERIFIER_CLAIM_TIMEOUT_SECONDS: '2' };
    const apiKey = (
      JSON.parse(
        (await mustRun(BIN.verifier, ['client', 'create', '--name', 'Shop', '--data', vdata, '--json'], { env: venv })).stdout,
      ) as { api_key: string }
    ).api_key;
    const startVerifier = (p: number) =>
      startService(BIN.verifier, ['serve', '--host', '127.0.0.1', '--port', String(p), '--data', vdata, '--trust', trustFile], {
        env: venv,
      });
    verifier = await startVerifier(0);
    const vport = Number(new URL(verifier.url).port);

    const [p] = (await prepareHolders(issuer.url, adminToken, DEMO_IDENTITY, 1)) as [Prepared];
    const res = await credentialRequest(issuer.url, p.token, proof(p.holder, issuer.url, p.nonce));
    const credential = ((await res.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential as string;
    const answers = [];
    for (let i = 0; i < 30; i++) {
      const req = await createPresentationRequest(verifier.url, apiKey, { preset: 'age_over_20' });
      answers.push({ id: req.id as string, ...(await answerFor(req.request_uri, credential, p.holder, [['age_equal_or_over', '20']])) });
    }
    const victim = verifier;
    let done = 0;
    const first = await Promise.all(
      answers.map(async (a) => {
        try {
          const r = await postResponse(a.responseUri, a.body);
          if (++done === 5) void killed(victim);
          return r.status;
        } catch {
          return 0;
        }
      }),
    );
    await killed(victim);
    expect(first.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(first.filter((s) => s === 0).length).toBeGreaterThan(0);

    verifier = await startVerifier(vport);
    await new Promise((r) => setTimeout(r, 2100));
    // The wallet retries every response whose answer it did not get.
    for (const [i, a] of answers.entries()) {
      if (first[i] === 200) continue;
      const again = await postResponse(a.responseUri, a.body);
      if (again.status !== 200) expect(((await again.json()) as { code: string }).code).toBe('replay');
    }
    const evidence = (await (
      await fetch(`${verifier.url}/v1/evidence?limit=500`, { headers: { authorization: `Bearer ${apiKey}` } })
    ).json()) as {
      evidence: { request_id: string }[];
    };
    for (const a of answers) {
      const record = (await getPresentationRequest(verifier.url, apiKey, a.id)) as { status: string };
      expect(record.status, `request ${a.id}`).toBe('accepted');
      expect(
        evidence.evidence.filter((e) => e.request_id === a.id),
        `evidence of ${a.id}`,
      ).toHaveLength(1);
    }
  }, 180_000);
});
