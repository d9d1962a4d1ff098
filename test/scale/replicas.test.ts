// Beyond one machine (issue 16): HAProxy round-robin in front of two issuer and two verifier
// replicas on PostgreSQL. Every step of a journey may land on either replica; what one replica wrote
// the other must honour (one accepted answer per request, one status index per credential, one audit
// chain), and a replica killed with SIGKILL under load duplicates nothing for clients that retry on
// the other.
import { createHash } from 'node:crypto';
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

describe('two issuers and two verifiers behind HAProxy on PostgreSQL', () => {
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
    for (const replica of ['issuer-1', 'issuer-2', 'verifier-1', 'verifier-2']) expect(served[replica], replica).toBeGreaterThan(0);
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

describe('the issuers under load', () => {
  it('1,000 parallel credential requests across both issuers: unique status indexes, one audit chain that verifies', async () => {
    const many = await prepareHolders(cluster.issuerUrl, cluster.adminToken, DEMO_IDENTITY, 1000, 50);
    const before = cluster.lb.servedBy();
    const responses = await Promise.all(
      many.map((p) => credentialRequest(cluster.issuerUrl, p.token, proof(p.holder, cluster.issuerUrl, p.nonce))),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const credentials = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential as string),
    );
    const served = delta(before, cluster.lb.servedBy());
    expect(served['issuer-1']).toBeGreaterThan(300);
    expect(served['issuer-2']).toBeGreaterThan(300);
    // Unique among themselves and beside the credentials the journey tests got earlier.
    expect(new Set([...credentials, ...issued].map(statusIdx)).size).toBe(1000 + issued.length);
    const rows = await query<{ n: string; idxs: string }>(
      cluster.issuerDatabase,
      'SELECT COUNT(*) AS n, COUNT(DISTINCT status_idx) AS idxs FROM credentials',
    );
    // Every credential recorded (these, the earlier tests' and the journey wallet's batch) on its own index.
    expect(Number(rows[0]?.n)).toBeGreaterThan(1000 + issued.length);
    expect(rows[0]?.idxs).toBe(rows[0]?.n);
    // The operator's own check, against the database both replicas appended to.
    const audit = await mustRun(BIN.issuer, ['audit', 'verify', '--database', cluster.issuerDatabase, '--json'], {
      env: { SHOMEI_ISSUER_SECRET: cluster.issuerSecret },
    });
    const result = JSON.parse(audit.stdout) as { ok: boolean; entries: number };
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThanOrEqual(Number(rows[0]?.n)); // an entry per credential, at least
  }, 300_000);

  it('kill -9 of an issuer replica under load: nothing issued twice, every credential accounted for, the chain intact', async () => {
    const n = 120;
    const prepared = await prepareHolders(cluster.issuerUrl, cluster.adminToken, DEMO_IDENTITY, n, 40);
    let done = 0;
    const victim = cluster.issuers[1];
    const outcomes = await Promise.all(
      prepared.map(async (p) => {
        const outcome = await credentialWithRetry(cluster.issuerUrl, p.token, proof(p.holder, cluster.issuerUrl, p.nonce));
        done += 1;
        if (done === 20) victim?.child.kill('SIGKILL');
        return outcome;
      }),
    );
    // 200: issued now. 401 invalid_token: an earlier attempt, cut off by the kill after its
    // transaction committed, spent the token and the nonce and recorded the credential; its response
    // died with the process (the wallet starts again from a new offer).
    expect(outcomes.filter((o) => o.status !== 200 && o.code !== 'invalid_token')).toEqual([]);
    const perOffer = await query<{ token_hash: string; used: string | null; n: string }>(
      cluster.issuerDatabase,
      `SELECT t.token_hash, t.used_at AS used, COUNT(c.id) AS n FROM access_tokens t
       LEFT JOIN credentials c ON c.offer_id = t.offer_id WHERE t.token_hash = ANY($1) GROUP BY t.token_hash, t.used_at`,
      [prepared.map((p) => createHash('sha256').update(p.token).digest('base64url'))],
    );
    expect(perOffer).toHaveLength(n);
    // Every holder's offer got exactly one credential: none twice, none dropped by a rolled-back half.
    expect(perOffer.filter((r) => r.n !== '1' || r.used === null)).toEqual([]);
    const delivered = outcomes.filter((o) => o.status === 200).map((o) => statusIdx(o.credential as string));
    expect(new Set(delivered).size).toBe(delivered.length);
    const audit = await mustRun(BIN.issuer, ['audit', 'verify', '--database', cluster.issuerDatabase, '--json'], {
      env: { SHOMEI_ISSUER_SECRET: cluster.issuerSecret },
    });
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });
  }, 300_000);
});

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query(sql, params)).rows as T[];
  } finally {
    await db.end();
  }
}

/** A wallet's credential request, tried again when the connection drops or the balancer answers 502–504. */
async function credentialWithRetry(
  issuer: string,
  token: string,
  proofJwt: string,
): Promise<{ status: number; code?: string; credential?: string }> {
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    try {
      const res = await credentialRequest(issuer, token, proofJwt);
      status = res.status;
      const body = (await res.json().catch(() => ({}))) as { error?: string; credentials?: { credential: string }[] };
      if (status === 200) return { status, credential: body.credentials?.[0]?.credential as string };
      if (status < 500) return { status, ...(body.error ? { code: body.error } : {}) };
    } catch {
      status = 0;
    }
    if (attempt >= 40) return { status };
    await new Promise((r) => setTimeout(r, 250));
  }
}

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
