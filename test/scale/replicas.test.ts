// Beyond one machine (issue 16): HAProxy round-robin in front of two verifier replicas on one
// PostgreSQL database, and of the issuer. Every step of a journey may land on either verifier; what
// one replica wrote the other must honour (one accepted answer per request), and a replica killed
// with SIGKILL under load loses nothing and duplicates nothing for clients that retry on the other.
// (The issuer runs as one replica until all its stores are on the database port: see cluster.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  createPresentationRequest,
  DEMO_IDENTITY,
  getPresentationRequest,
  mustRun,
  sandboxOfferByCli,
} from '../../scripts/lib/harness.mjs';
import { answerFor, credentialRequest, type Prepared, postResponse, prepareHolders, proof, statusIdx } from '../hardening/client.js';
import { type Cluster, startCluster } from './cluster.js';

let dir: string;
let cluster: Cluster;
let walletEnv: Record<string, string>;
let holders: Prepared[] = [];
const issued: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-scale-'));
  cluster = await startCluster(join(dir, 'cluster'));
  walletEnv = { SHOMEI_HOME: join(dir, 'wallet'), SHOMEI_PASSPHRASE: 'scale passphrase, long enough 🔒' };
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const delta = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([server, n]) => [server, n - (before[server] ?? 0)]));

describe('two verifiers behind HAProxy on one PostgreSQL database', () => {
  it('the whole journey through the load balancer, its verifier steps served by both replicas', async () => {
    const before = cluster.lb.servedBy();
    await mustRun(BIN.wallet, ['init'], { env: walletEnv });
    const { offer_uri, tx_code } = await sandboxOfferByCli(cluster.issuerUrl, cluster.adminToken, dir);
    await mustRun(BIN.wallet, ['receive', offer_uri, '--tx-code', tx_code], { env: walletEnv });
    const req = await createPresentationRequest(cluster.verifierUrl, cluster.apiKey, { preset: 'identity_full' });
    await mustRun(BIN.wallet, ['present', req.request_uri, '--yes'], { env: walletEnv });
    // The business reads the result on whichever replica its request lands.
    const record = (await getPresentationRequest(cluster.verifierUrl, cluster.apiKey, req.id)) as {
      status: string;
      result: { disclosed: Record<string, unknown> };
    };
    expect(record.status).toBe('accepted');
    expect(record.result.disclosed.family_name).toBe(DEMO_IDENTITY.family_name);
    const served = delta(before, cluster.lb.servedBy());
    for (const replica of ['issuer-1', 'verifier-1', 'verifier-2']) expect(served[replica], replica).toBeGreaterThan(0);
  }, 120_000);

  it('credentials for the answering holders, through the load balancer', async () => {
    holders = await prepareHolders(cluster.issuerUrl, cluster.adminToken, DEMO_IDENTITY, 61);
    const responses = await Promise.all(
      holders.map((p) => credentialRequest(cluster.issuerUrl, p.token, proof(p.holder, cluster.issuerUrl, p.nonce))),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    for (const r of responses)
      issued.push(((await r.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential as string);
    expect(new Set(issued.map(statusIdx)).size).toBe(61);
  }, 120_000);

  it('200 parallel answers to one request across both verifiers: exactly one accepted', async () => {
    const req = await createPresentationRequest(cluster.verifierUrl, cluster.apiKey, { preset: 'age_over_20' });
    const p = holders[0] as Prepared;
    const { responseUri, body } = await answerFor(req.request_uri, issued[0] as string, p.holder, [['age_equal_or_over', '20']]);
    const before = cluster.lb.servedBy();
    const responses = await Promise.all(Array.from({ length: 200 }, () => postResponse(responseUri, body)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    const served = delta(before, cluster.lb.servedBy());
    expect(served['verifier-1']).toBeGreaterThan(50);
    expect(served['verifier-2']).toBeGreaterThan(50);
    expect(((await getPresentationRequest(cluster.verifierUrl, cluster.apiKey, req.id)) as { status: string }).status).toBe('accepted');
  }, 60_000);

  it('kill -9 of a verifier replica under load: every answer, retried on the other, accepted exactly once', async () => {
    const n = 60;
    const requests = await Promise.all(
      Array.from({ length: n }, () => createPresentationRequest(cluster.verifierUrl, cluster.apiKey, { preset: 'age_over_20' })),
    );
    const answers = await Promise.all(
      requests.map((req, i) => {
        const p = holders[i + 1] as Prepared;
        return answerFor(req.request_uri, issued[i + 1] as string, p.holder, [['age_equal_or_over', '20']]);
      }),
    );
    let done = 0;
    const victim = cluster.verifiers[1];
    const outcomes = answers.map(async ({ responseUri, body }) => {
      const status = await postWithRetry(responseUri, body);
      done += 1;
      if (done === 10) victim?.child.kill('SIGKILL');
      return status;
    });
    const statuses = await Promise.all(outcomes);
    // 200: accepted now; 409: an earlier attempt, cut off by the kill, had already been accepted.
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const statusOf = async (id: string) =>
      ((await getPresentationRequest(cluster.verifierUrl, cluster.apiKey, id)) as { status: string }).status;
    // A request the killed replica had claimed but not finished stays `processing` until its claim
    // times out (2 s here); the wallet's next retry then takes it over on the living replica.
    const unfinished = (await Promise.all(requests.map(async (req, i) => ((await statusOf(req.id)) === 'accepted' ? -1 : i)))).filter(
      (i) => i >= 0,
    );
    if (unfinished.length) {
      await new Promise((r) => setTimeout(r, 2500));
      for (const i of unfinished) {
        const answer = answers[i] as { responseUri: string; body: string };
        expect(await postWithRetry(answer.responseUri, answer.body)).toBe(200);
      }
    }
    const final = await Promise.all(requests.map((req) => statusOf(req.id)));
    expect(final.filter((s) => s !== 'accepted')).toEqual([]);
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const evidence = await db.query<{ request_id: string; n: string }>(
        'SELECT request_id, COUNT(*) AS n FROM evidence WHERE request_id = ANY($1) GROUP BY request_id',
        [requests.map((r) => r.id)],
      );
      expect(evidence.rows).toHaveLength(n);
      expect(evidence.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    } finally {
      await db.end();
    }
  }, 120_000);
});

/**
 * What a wallet does when the connection drops or the balancer answers 502/503/504: try again (the
 * balancer sends it to the living replica). 409 `replay` ends the retries: an earlier attempt got there.
 */
async function postWithRetry(url: string, body: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let status: number;
    let code: string | undefined;
    try {
      const res = await postResponse(url, body);
      status = res.status;
      code = status === 409 ? ((await res.json()) as { code?: string }).code : undefined;
      if (status !== 409) await res.body?.cancel();
    } catch {
      status = 0;
    }
    const retry = status === 0 || status === 502 || status === 503 || status === 504 || (status === 409 && code !== 'replay');
    if (!retry || attempt >= 40) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
}
