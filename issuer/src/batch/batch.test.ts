import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEs256KeyPair, parseCredentialOfferUri, publicKeyFromJwk, verifySdJwtVc } from '@shomei/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-log.js';
import { batchRow } from '../testing/batch-fixtures.js';
import { createHarness, type Harness, preAuthorizedCode, redeem } from '../testing/harness.js';
import { runBatch } from './engine.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

const holder = () => generateEs256KeyPair().publicJwk;
const jsonl = (rows: unknown[]) => `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;
const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('batch issuance', () => {
  it('issues the good rows, reports each bad row with its line and reason, and goes on', async () => {
    const file = join(h.dir, 'customers.jsonl');
    const withMyNumber = batchRow(3, holder()) as { identity: Record<string, unknown> };
    withMyNumber.identity.given_name = '1234 5678 9012';
    const tooHigh = batchRow(4, holder()) as { proofing: Record<string, unknown> };
    tooHigh.proofing = { method: 'document', assurance_level: 'IAL3', time: '2026-10-01T09:00:00Z' };
    writeFileSync(
      file,
      jsonl([
        batchRow(0, holder()),
        batchRow(1, holder()),
        '{not json',
        withMyNumber,
        tooHigh,
        batchRow(5), // no holder key in direct mode
        batchRow(0, holder()), // external id again
        { ...batchRow(7, holder()), holder_jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } },
        batchRow(8, holder()),
      ]),
    );
    const summary = await runBatch(h.deps, { file, mode: 'direct', workers: 0, chunkSize: 4 });
    expect(summary).toMatchObject({ issued: 3, errors: 6, skipped: 0 });

    const errors = readJsonl(summary.errorsFile);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(errors[0]?.reason).toMatch(/JSON/);
    expect(errors[1]?.reason).toMatch(/Individual Number/);
    expect(String(errors[1]?.reason)).not.toContain('1234');
    expect(errors[2]?.reason).toMatch(/at most IAL2/);
    expect(errors[3]?.reason).toMatch(/holder_jwk is required/);
    expect(errors[4]).toMatchObject({ code: 'duplicate_external_id', reason: 'external_id already appears on line 1' });

    const issued = readJsonl(summary.output);
    expect(issued.map((r) => r.external_id)).toEqual(['cust-0000000', 'cust-0000001', 'cust-0000008']);
    const key = publicKeyFromJwk(h.deps.keys.current.publicJwk);
    for (const r of issued) {
      const v = await verifySdJwtVc(r.credential as string, { now: h.now(), resolveIssuerKey: () => key });
      expect(v.claims.family_name).toBe('鈴木');
      expect((v.payload.verification as { assurance_level: string }).assurance_level).toBe('IAL2');
      expect((v.payload.verification as { evidence: { method: string }[] }).evidence[0]?.method).toBe('reliance');
    }
    const rows = h.db.prepare('SELECT status_list_id, status_idx FROM credentials WHERE batch_job_id = ?').all(summary.jobId);
    expect(rows).toHaveLength(3);
    // One audit entry per chunk that issued something (chunks of 4 lines: lines 1–4 and 9).
    expect(await verifyAudit(h.deps.sql)).toMatchObject({ ok: true, entries: 2 });
    const audit = h.db.prepare('SELECT action, subject, data FROM audit_log ORDER BY seq').all() as { data: string }[];
    expect(audit.map((a) => JSON.parse(a.data))).toMatchObject([
      { first_line: 1, last_line: 2, count: 2, assurance_levels: { IAL2: 2 }, methods: { reliance: 2 } },
      { first_line: 9, last_line: 9, count: 1 },
    ]);
    expect(audit[0]).toMatchObject({ action: 'batch.credentials_issued', subject: summary.jobId });
  });

  it('refuses a holder key that is not a point on P-256, found while signing', async () => {
    const file = join(h.dir, 'offcurve.jsonl');
    const offCurve = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) };
    writeFileSync(file, jsonl([batchRow(1, holder()), { ...batchRow(2), holder_jwk: offCurve }, batchRow(3, holder())]));
    const summary = await runBatch(h.deps, { file, mode: 'direct', workers: 0 });
    expect(summary).toMatchObject({ issued: 2, errors: 1 });
    expect(readJsonl(summary.errorsFile)).toEqual([
      { line: 2, external_id: 'cust-0000002', code: 'invalid_row', reason: 'holder_jwk is not a valid P-256 public key' },
    ]);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM batch_records').get()).toEqual({ n: 2 });
  });

  it('is idempotent by external id: a finished job and a new file with the same ids issue nothing again', async () => {
    const file = join(h.dir, 'a.jsonl');
    writeFileSync(file, jsonl([batchRow(1, holder()), batchRow(2, holder())]));
    expect((await runBatch(h.deps, { file, mode: 'direct', workers: 0 })).issued).toBe(2);
    expect(await runBatch(h.deps, { file, mode: 'direct', workers: 0 })).toMatchObject({ alreadyComplete: true, issued: 2 });
    const other = join(h.dir, 'b.jsonl');
    writeFileSync(other, jsonl([batchRow(2, holder()), batchRow(3, holder())]));
    expect(await runBatch(h.deps, { file: other, mode: 'direct', workers: 0 })).toMatchObject({ issued: 1, skipped: 1 });
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM credentials').get()).toEqual({ n: 3 });
  });

  it('reads CSV with a quoted JWK column', async () => {
    const file = join(h.dir, 'customers.csv');
    const jwk = JSON.stringify(holder()).replaceAll('"', '""');
    writeFileSync(
      file,
      [
        'external_id,family_name,given_name,family_name_kana,given_name_kana,birthdate,gender,postal_code,region,locality,street_address,phone_number,proofing_method,assurance_level,proofed_at,holder_jwk',
        `c-1,田中,花子,タナカ,ハナコ,1980-02-29,female,150-0001,東京都,渋谷区,"神宮前1-1, 2F",,jpki,IAL3,2026-10-01T09:00:00+09:00,"${jwk}"`,
        `c-2,田中,一郎,タナカ,イチロウ,1980-02-30,male,150-0001,東京都,渋谷区,神宮前1-1,,jpki,IAL3,2026-10-01T09:00:00+09:00,"${jwk}"`,
      ].join('\r\n'),
    );
    const summary = await runBatch(h.deps, { file, mode: 'direct', workers: 0 });
    expect(summary).toMatchObject({ issued: 1, errors: 1 });
    expect(readJsonl(summary.errorsFile)[0]).toMatchObject({ line: 3, external_id: 'c-2' });
    const [row] = readJsonl(summary.output);
    const v = await verifySdJwtVc(row?.credential as string, {
      now: h.now(),
      resolveIssuerKey: () => publicKeyFromJwk(h.deps.keys.current.publicJwk),
    });
    expect((v.claims.address as { street_address: string }).street_address).toBe('神宮前1-1, 2F');
  });

  it('offers mode writes an offer and tx_code per record that the token endpoint redeems', async () => {
    const file = join(h.dir, 'letters.jsonl');
    writeFileSync(file, jsonl([batchRow(1), batchRow(2)]));
    const summary = await runBatch(h.deps, { file, mode: 'offers', workers: 0 });
    expect(summary.issued).toBe(2);
    const [first] = readJsonl(summary.output);
    const parsed = parseCredentialOfferUri(first?.offer_uri as string);
    if (!('offer' in parsed)) throw new Error('offer by value expected');
    // The same offer by reference (for QR codes) resolves at the issuer to the by-value offer.
    const byReference = parseCredentialOfferUri(first?.offer_uri_by_reference as string);
    if (!('offerUri' in byReference)) throw new Error('offer by reference expected');
    const resolved = await h.app.request(new URL(byReference.offerUri).pathname);
    expect(await resolved.json()).toEqual(parsed.offer);
    const res = await redeem(h, preAuthorizedCode(first?.offer_uri as string), first?.tx_code as string);
    expect(res.status).toBe(200);
  });

  it('offers live 30 days by default (letters take days, not the sandbox minutes), --offer-days sets it, out-of-range refused', async () => {
    const now = h.now().getTime();
    const expiresIn = async (name: string, offerDays?: number) => {
      const file = join(h.dir, `${name}.jsonl`);
      writeFileSync(file, jsonl([batchRow(name === 'default' ? 10 : 11)]));
      const summary = await runBatch(h.deps, { file, mode: 'offers', workers: 0, ...(offerDays ? { offerDays } : {}) });
      const [line] = readJsonl(summary.output);
      return { days: (Date.parse(line?.expires_at as string) - now) / 86_400_000, summary };
    };
    const byDefault = await expiresIn('default');
    expect(byDefault.days).toBe(30);
    expect(byDefault.summary.offerDays).toBe(30);
    const short = await expiresIn('short', 3);
    expect(short.days).toBe(3);
    const row = h.db.prepare('SELECT expires_at FROM offers ORDER BY expires_at').all() as { expires_at: number }[];
    expect(row.map((r) => (r.expires_at - now) / 86_400_000)).toEqual([3, 30]);
    for (const offerDays of [0, 366, 1.5]) {
      await expect(runBatch(h.deps, { file: join(h.dir, 'short.jsonl'), mode: 'offers', workers: 0, offerDays })).rejects.toMatchObject({
        code: 'invalid_request',
      });
    }
  });

  it('--reissue-expired gives a new offer to records whose offer expired unredeemed, audited; redeemed and live ones stay skipped', async () => {
    const file = join(h.dir, 'letters.jsonl');
    writeFileSync(file, jsonl([batchRow(20), batchRow(21), batchRow(22)]));
    const first = await runBatch(h.deps, { file, mode: 'offers', workers: 0, offerDays: 1 });
    const [expiring, redeemed] = readJsonl(first.output);
    const token = await redeem(h, preAuthorizedCode(redeemed?.offer_uri as string), redeemed?.tx_code as string);
    expect(token.status).toBe(200);
    // Without the flag, or before expiry, every record is skipped as already offered.
    const early = await runBatch(h.deps, { file, mode: 'offers', workers: 0, reissueExpired: true, outDir: join(h.dir, 'early.out') });
    expect({ issued: early.issued, skipped: early.skipped }).toEqual({ issued: 0, skipped: 3 });
    h.advance(2 * 86_400);
    const plain = await runBatch(h.deps, { file, mode: 'offers', workers: 0, outDir: join(h.dir, 'plain.out') });
    expect({ issued: plain.issued, skipped: plain.skipped }).toEqual({ issued: 0, skipped: 3 });
    const again = await runBatch(h.deps, { file, mode: 'offers', workers: 0, reissueExpired: true, outDir: join(h.dir, 'again.out') });
    // Lines 1 and 3 expired unredeemed (line 3 was offered for one day too); line 2 was redeemed.
    expect({ issued: again.issued, skipped: again.skipped }).toEqual({ issued: 2, skipped: 1 });
    const reissued = readJsonl(again.output);
    expect(reissued.map((l) => l.external_id)).toEqual([expiring?.external_id, readJsonl(first.output)[2]?.external_id]);
    expect(reissued[0]?.offer_id).not.toBe(expiring?.offer_id);
    const audit = h.db.prepare("SELECT data FROM audit_log WHERE action = 'batch.offers_reissued'").all() as { data: string }[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.data as string)).toMatchObject({
      count: 2,
      replaced_offers: [expiring?.offer_id, readJsonl(first.output)[2]?.offer_id],
    });
    await expect(runBatch(h.deps, { file, mode: 'offers', workers: 0, reissueExpired: true })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
