import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeIssuer } from '../testing/fake-issuer.js';
import { startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, NOW, PERSON, TEST_PASSPHRASE, walletWithCredential } from '../testing/fixtures.js';

let issuer: Awaited<ReturnType<typeof startFakeIssuer>>;
let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;

beforeAll(async () => {
  [issuer, verifier] = await Promise.all([startFakeIssuer({ batchSize: 10 }), startFakeVerifier()]);
});
afterAll(async () => {
  await Promise.all([issuer.close(), verifier.close()]);
});

const env = (home: string) => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE });
const DAY = 86_400_000;

async function homeWithCopies(copies: number): Promise<{ home: string; id: string; firstIdx: number }> {
  const home = join(mkdtempSync(join(tmpdir(), 'shomei-status-')), 'wallet');
  expect(await runCli(['init'], captureContext(env(home)))).toBe(0);
  const firstIdx = issuer.issued.length;
  const offer = issuer.offer();
  const ctx = captureContext(env(home));
  expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--copies', String(copies), '--json'], ctx)).toBe(0);
  return { home, id: (JSON.parse(ctx.out()) as { id: string }).id, firstIdx };
}

async function listJson(home: string, now = NOW, extra: string[] = []): Promise<{ out: Record<string, unknown>[]; err: string }> {
  const ctx = captureContext(env(home), { now: () => now });
  expect(await runCli(['list', '--json', ...extra], ctx)).toBe(0);
  return { out: JSON.parse(ctx.out()) as Record<string, unknown>[], err: ctx.err() };
}

describe("live status from the issuer's status list", () => {
  it('valid, then suspended, then revoked (any copy), as the issuer says', async () => {
    const { home, id, firstIdx } = await homeWithCopies(3);
    expect((await listJson(home)).out).toMatchObject([{ id, status: 'valid', near_expiry: false }]);

    issuer.setStatus(firstIdx + 2, 2);
    const suspended = await listJson(home);
    expect(suspended.out).toMatchObject([{ id, status: 'suspended' }]);
    expect(suspended.err).toContain(`warning: credential ${id} is suspended by its issuer`);

    issuer.setStatus(firstIdx + 1, 1);
    const human = captureContext(env(home));
    expect(await runCli(['show', id], human)).toBe(0);
    expect(human.out()).toMatch(/\n {2}Status +revoked\n/);
    expect(human.err()).toContain(`warning: credential ${id} has been revoked by its issuer`);
    expect(human.out()).toMatch(/\n {2}family_name +山田\n/);

    const offline = await listJson(home, NOW, ['--offline']);
    expect(offline.out).toMatchObject([{ id, status: 'not_checked' }]);
  });

  it('warns near expiry and reports expiry without asking the issuer', async () => {
    const { home, id } = await homeWithCopies(1);
    const soon = await listJson(home, new Date(NOW.getTime() + 340 * DAY), ['--offline']);
    expect(soon.out).toMatchObject([{ id, status: 'not_checked', near_expiry: true }]);
    expect(soon.err).toContain(`warning: credential ${id} expires in 25 days; ask the issuer for a new one`);
    const human = captureContext(env(home), { now: () => new Date(NOW.getTime() + 340 * DAY) });
    expect(await runCli(['list', '--offline'], human)).toBe(0);
    expect(human.out()).toMatch(
      new RegExp(`${id} +テスト KYC +urn:shomei:vct:jp-identity:1 +IAL2 \\(sandbox\\) +not checked +2027-11-21 +1/1 fresh`),
    );

    const expired = await listJson(home, new Date(NOW.getTime() + 400 * DAY), ['--offline']);
    expect(expired.out).toMatchObject([{ id, status: 'expired' }]);
    expect(expired.err).toContain(`warning: credential ${id} has expired`);
  });

  it('does not believe a status list the issuer did not sign', async () => {
    const { home, id, firstIdx } = await homeWithCopies(1);
    issuer.setStatus(firstIdx, 1);
    issuer.forgeStatusList(true);
    try {
      const { out, err } = await listJson(home);
      expect(out).toMatchObject([{ id, status: 'unknown' }]);
      expect(err).toContain(`status of credential ${id} unknown: signature does not verify`);
    } finally {
      issuer.forgeStatusList(false);
    }
    expect((await listJson(home)).out).toMatchObject([{ id, status: 'revoked' }]);
  });

  it('says the status is unknown, and why, when the issuer cannot be reached', async () => {
    const { home, id } = await walletWithCredential(); // its issuer, 127.0.0.1:4999, is not running
    const { out, err } = await listJson(home);
    expect(out).toMatchObject([{ id, status: 'unknown' }]);
    expect(err).toContain(`status of credential ${id} unknown: could not reach http://127.0.0.1:4999`);
  });
});

describe('shomei history', () => {
  it('lists what was shared, with whom, when and why: claim names, values only with --values', async () => {
    const { home } = await homeWithCopies(2);
    const ask = verifier.publish({ claims: [['family_name'], ['birthdate']] });
    expect(await runCli(['present', ask.uri, '--yes'], captureContext(env(home)))).toBe(0);
    const no = verifier.publish({ claims: [['phone_number']] });
    expect(await runCli(['present', no.uri], captureContext(env(home), { answers: ['n'] }))).toBe(3);

    const plain = captureContext(env(home));
    expect(await runCli(['history'], plain)).toBe(0);
    expect(plain.out()).toContain('2026-11-21 09:00 UTC  Demo Shop  accepted');
    expect(plain.out()).toContain('Purpose     年齢確認のため');
    expect(plain.out()).toContain('Shared      family_name, birthdate');
    expect(plain.out()).toContain('Demo Shop  declined');
    expect(plain.out()).toContain('Shared      nothing');
    expect(plain.out()).not.toContain(PERSON.family_name);
    expect(plain.out()).not.toContain(PERSON.birthdate);

    const values = captureContext(env(home));
    expect(await runCli(['history', '--values', '--json'], values)).toBe(0);
    const entries = JSON.parse(values.out()) as Record<string, unknown>[];
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      verifier: { client_id: verifier.clientId, name: 'Demo Shop' },
      purpose: '年齢確認のため',
      outcome: 'accepted',
      claims: [['family_name'], ['birthdate']],
      values: { family_name: PERSON.family_name, birthdate: PERSON.birthdate },
    });
    expect(entries[1]).toMatchObject({ outcome: 'declined', claims: [], copy_id: null });
  });
});
