import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAudit } from '@shomei/issuer';
import {
  generateEs256KeyPair,
  isPostgresUrl,
  openDatabase,
  PostgresDatabase,
  presentSdJwtVc,
  type SqlDatabase,
  SqliteDatabase,
  type SqlValue,
} from '@shomei/shared';
import { createTestDatabase } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  createPresentationRequest,
  getPresentationRequest,
  mustRun,
  newSecret,
  runCli,
  startService,
} from '../scripts/lib/harness.mjs';

// Batch issuance across real processes: kill -9 at several points, resume, prove exactly-once;
// then the issuer and a verifier run on the same data and a batch credential is presented.
const ROWS = 12_000;
const BAD_EVERY = 997; // every 997th line is broken
let dir: string;
let dataDir: string;
let file: string;
const secret = newSecret();
// The credentials' iss must name the port the issuer will serve on later: take a free one now.
const PORT = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  });
});
const PUBLIC_URL = `http://127.0.0.1:${PORT}`;
const holders: { privateKey: import('node:crypto').KeyObject; externalId: string }[] = [];
let expectedValid: Set<string>;
let expectedBad: number;

function row(n: number, jwk: object): string {
  return JSON.stringify({
    external_id: `bank-${n}`,
    identity: {
      family_name: '高橋',
      given_name: '三郎',
      family_name_kana: 'タカハシ',
      given_name_kana: 'サブロウ',
      birthdate: '1975-05-05',
      gender: 'male',
      address: { postal_code: '460-0001', region: '愛知県', locality: '名古屋市中区', street_address: `三の丸${n}` },
    },
    proofing: { method: 'reliance', assurance_level: 'IAL2', time: '2026-09-01T00:00:00Z' },
    holder_jwk: jwk,
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-batch-'));
  dataDir = join(dir, 'issuer');
  file = join(dir, 'customers.jsonl');
  const lines: string[] = [];
  expectedValid = new Set();
  expectedBad = 0;
  for (let n = 1; n <= ROWS; n++) {
    if (n % BAD_EVERY === 0) {
      lines.push(`{"external_id":"bank-${n}","identity":{"birthdate":"not a date"}}`);
      expectedBad++;
      continue;
    }
    const pair = generateEs256KeyPair();
    if (holders.length < 2) holders.push({ privateKey: pair.privateKey, externalId: `bank-${n}` });
    lines.push(row(n, pair.publicJwk));
    expectedValid.add(`bank-${n}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const batchArgs = () => [
  'batch',
  file,
  '--mode',
  'direct',
  '--data',
  dataDir,
  '--public-url',
  PUBLIC_URL,
  '--chunk',
  '250',
  '--workers',
  '2',
  // Not the default: the digest setting reaches the signing threads, and the verifier follows it.
  '--sd-alg',
  'sha-384',
];
const outputFile = () => join(`${file}.out`, 'credentials.jsonl');
const lineCount = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').length - 1 : 0);

/** Starts the batch and SIGKILLs it once its output holds at least `atLines` lines. */
function killAt(atLines: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN.issuer, ...batchArgs()], {
      env: { ...process.env, SHOMEI_ISSUER_SECRET: secret },
      stdio: 'ignore',
    });
    const timer = setInterval(() => {
      if (lineCount(outputFile()) >= atLines) child.kill('SIGKILL');
    }, 5);
    child.once('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the batch ended (${code}) before it could be killed at ${atLines} lines`));
    });
  });
}

/** Resolves once a batch chunk is claimed by the process `pid` (a worker's holder is `host:pid:nonce`). */
/** Waits until worker `pid` holds a chunk claim, in the SQLite file or the PostgreSQL database `target`. */
async function holdsClaim(target: string, pid: number): Promise<void> {
  for (let i = 0; i < 3_000; i++) {
    try {
      const rows = await queryIssuerDb<{ n: number }>(
        target,
        "SELECT COUNT(*) AS n FROM batch_chunks WHERE state = 'claimed' AND claimed_by LIKE ?",
        [`%:${pid}:%`],
      );
      if (Number(rows[0]?.n) > 0) return;
    } catch {
      // not created yet, or busy: look again
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`worker ${pid} never held a claim`);
}

/**
 * Reads the issuer's database as the test's own observer: a SQLite file without migrating it (it
 * may not exist yet, and the workers own its schema), or PostgreSQL through a pool of its own.
 */
async function queryIssuerDb<T>(target: string, sql: string, params: SqlValue[] = []): Promise<T[]> {
  const db: SqlDatabase = isPostgresUrl(target)
    ? await PostgresDatabase.connect(target, { max: 1 })
    : new SqliteDatabase(openDatabase(target, []));
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

describe('batch issuance, crash and resume', () => {
  it('kill -9 at several points, then a rerun issues every valid record exactly once', async () => {
    for (const at of [500, 4_000, 8_000]) await killAt(at);
    const done = await mustRun(BIN.issuer, [...batchArgs(), '--json'], { env: { SHOMEI_ISSUER_SECRET: secret }, timeoutMs: 120_000 });
    const summary = JSON.parse(done.stdout) as { issued: number; errors: number; resumed: boolean };
    expect(summary.resumed).toBe(true);

    const out = readFileSync(outputFile(), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { external_id: string; credential: string });
    expect(out).toHaveLength(expectedValid.size);
    expect(new Set(out.map((o) => o.external_id))).toEqual(expectedValid);
    const errors = readFileSync(join(`${file}.out`, 'errors.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(errors).toHaveLength(expectedBad);
    expect(summary.issued).toBe(expectedValid.size);
    expect(summary.errors).toBe(expectedBad);

    const db = openDatabase(join(dataDir, 'issuer.db'), []);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM credentials').get()).toEqual({ n: expectedValid.size });
      expect(db.prepare("SELECT COUNT(DISTINCT status_list_id || ':' || status_idx) AS n FROM credentials").get()).toEqual({
        n: expectedValid.size,
      });
      expect(db.prepare('SELECT COUNT(*) AS n FROM batch_records').get()).toEqual({ n: expectedValid.size });
      const audit = await verifyAudit(new SqliteDatabase(db, false));
      expect(audit.ok).toBe(true);
      // One audit entry per committed chunk; together they name every credential exactly once.
      const chunks = (
        db.prepare("SELECT data FROM audit_log WHERE action = 'batch.credentials_issued' ORDER BY seq").all() as { data: string }[]
      ).map(
        (r) => JSON.parse(r.data) as { batch_job: string; first_line: number; last_line: number; count: number; records_sha256: string },
      );
      expect(chunks.reduce((n, c) => n + c.count, 0)).toBe(expectedValid.size);
      const recordsBetween = db.prepare(
        'SELECT line, credential_id AS id FROM batch_records WHERE job_id = ? AND line BETWEEN ? AND ? ORDER BY line',
      );
      for (const c of chunks) {
        const records = recordsBetween.all(c.batch_job, c.first_line, c.last_line) as { line: number; id: string }[];
        expect(records).toHaveLength(c.count);
        const digest = createHash('sha256')
          .update(records.map((r) => `${r.line} ${r.id}`).join('\n'))
          .digest('hex');
        expect(digest).toBe(c.records_sha256);
      }
    } finally {
      db.close();
    }

    const again = await runCli(BIN.issuer, [...batchArgs(), '--json'], { env: { SHOMEI_ISSUER_SECRET: secret } });
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyComplete: true, issued: expectedValid.size });
  }, 180_000);

  // The same job on SQLite (workers on one host) and on PostgreSQL (workers on any host).
  const workerBackends = [
    { name: 'one SQLite file', prefix: 'wk', database: async () => join(dataDir, 'issuer.db') },
    { name: 'PostgreSQL', prefix: 'pg', database: createTestDatabase },
  ];
  it.each(workerBackends)(
    'two batch --worker processes share one job on $name; one killed -9, the other finishes it, each record once',
    async ({ prefix, database }) => {
      const target = await database();
      const shared = join(dir, `shared-${prefix}.jsonl`);
      const ids = new Set<string>();
      const lines: string[] = [];
      for (let n = 1; n <= 3_000; n++) {
        lines.push(row(n, generateEs256KeyPair().publicJwk).replace(`"bank-${n}"`, `"${prefix}-${n}"`));
        ids.add(`${prefix}-${n}`);
      }
      writeFileSync(shared, `${lines.join('\n')}\n`);
      const args = [
        'batch',
        shared,
        '--mode',
        'direct',
        '--data',
        dataDir,
        '--database',
        target,
        '--public-url',
        PUBLIC_URL,
        '--chunk',
        '100',
        '--workers',
        '1',
        '--worker',
      ];
      const env = { ...process.env, SHOMEI_ISSUER_SECRET: secret };
      const doomed = spawn(process.execPath, [BIN.issuer, ...args], { env, stdio: 'ignore' });
      const doomedExit = new Promise<NodeJS.Signals | null>((resolve) => doomed.once('exit', (_code, signal) => resolve(signal)));
      const survivor = mustRun(BIN.issuer, [...args, '--json'], { env: { SHOMEI_ISSUER_SECRET: secret }, timeoutMs: 150_000 });
      // Kill it while it holds a claim (its holder names its pid), so that the survivor must take the chunk over.
      await holdsClaim(target, doomed.pid as number);
      doomed.kill('SIGKILL');
      expect(await doomedExit).toBe('SIGKILL'); // killed mid-job, not finished
      const summary = JSON.parse((await survivor).stdout) as { issued: number; errors: number; output: string };
      expect(summary).toMatchObject({ issued: 3_000, errors: 0 });
      const out = readFileSync(summary.output, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { external_id: string }).external_id);
      expect(out).toHaveLength(3_000);
      expect(new Set(out)).toEqual(ids);
      const [records] = await queryIssuerDb<{ n: number }>(target, 'SELECT COUNT(*) AS n FROM batch_records WHERE external_id LIKE ?', [
        `${prefix}-%`,
      ]);
      expect(Number(records?.n)).toBe(3_000);
      const [distinct] = await queryIssuerDb<{ n: number }>(
        target,
        "SELECT COUNT(DISTINCT c.status_list_id || ':' || c.status_idx) AS n FROM credentials c JOIN batch_records r ON r.credential_id = c.id WHERE r.external_id LIKE ?",
        [`${prefix}-%`],
      );
      expect(Number(distinct?.n)).toBe(3_000);
      const audit = await mustRun(BIN.issuer, ['audit', 'verify', '--database', target, '--json']);
      expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });
      // The chunk the killed worker held was claimed again once its claim ran out.
      const [attempts] = await queryIssuerDb<{ n: number }>(target, 'SELECT MAX(attempts) AS n FROM batch_chunks');
      expect(Number(attempts?.n)).toBeGreaterThanOrEqual(2);
    },
    180_000,
  );

  it('a batch credential verifies at the verifier like any other', async () => {
    const issuer = await startService(BIN.issuer, ['serve', '--port', String(PORT), '--data', dataDir], {
      env: { SHOMEI_ISSUER_SECRET: secret },
    });
    const verifierSecret = newSecret();
    const verifierData = join(dir, 'verifier');
    try {
      const trust = join(dir, 'trust.json');
      writeFileSync(trust, JSON.stringify({ issuers: [{ iss: PUBLIC_URL }] }));
      const client = await mustRun(BIN.verifier, ['client', 'create', '--name', 'Bank', '--data', verifierData, '--json'], {
        env: { SHOMEI_VERIFIER_SECRET: verifierSecret },
      });
      const apiKey = (JSON.parse(client.stdout) as { api_key: string }).api_key;
      const verifier = await startService(BIN.verifier, ['serve', '--port', '0', '--data', verifierData, '--trust', trust], {
        env: { SHOMEI_VERIFIER_SECRET: verifierSecret },
      });
      try {
        const holder = holders[0] as (typeof holders)[number];
        const issued = readFileSync(outputFile(), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { external_id: string; credential: string })
          .find((o) => o.external_id === holder.externalId);
        const payload = JSON.parse(Buffer.from((issued?.credential ?? '').split('.')[1] as string, 'base64url').toString()) as {
          _sd_alg?: string;
        };
        expect(payload._sd_alg).toBe('sha-384');
        const req = await createPresentationRequest(verifier.url, apiKey, { preset: 'age_over_20' });
        const requestObject = await (await fetch(new URL(req.request_uri).searchParams.get('request_uri') as string)).text();
        const ro = JSON.parse(Buffer.from(requestObject.split('.')[1] as string, 'base64url').toString()) as {
          client_id: string;
          nonce: string;
          state: string;
          response_uri: string;
        };
        const vp = await presentSdJwtVc(issued?.credential as string, [['age_equal_or_over', '20']], {
          holderKey: holder.privateKey,
          nonce: ro.nonce,
          aud: ro.client_id,
          iat: new Date(),
        });
        const res = await fetch(ro.response_uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ vp_token: JSON.stringify({ identity: [vp] }), state: ro.state }),
        });
        expect(res.status).toBe(200);
        const record = (await getPresentationRequest(verifier.url, apiKey, req.id)) as { status: string; result: { disclosed: unknown } };
        expect(record.status).toBe('accepted');
        expect(record.result.disclosed).toEqual({ age_equal_or_over: { '20': true } });
      } finally {
        await verifier.stop();
      }
    } finally {
      await issuer.stop();
    }
  }, 60_000);
});
