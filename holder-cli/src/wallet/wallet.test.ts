import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSdJwt, type ErrorCode, IDENTITY_VCT } from '@shomei/shared';
import { asyncCodeOf, codeOf } from '@shomei/shared/testing';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { captureContext, PERSON, storeTestCredential } from '../testing/fixtures.js';
import { walletFile } from './location.js';
import { initWallet, openWallet } from './wallet.js';

const PASS = 'correct horse バッテリー 🔑';

function freshHome(): string {
  return join(mkdtempSync(join(tmpdir(), 'shomei-wallet-')), 'home');
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function expectCode(fn: () => unknown, code: ErrorCode): void {
  expect(codeOf(fn)).toBe(code);
}

describe('wallet file', () => {
  it('init creates an owner-only file in an owner-only directory, and refuses a second init', async () => {
    const home = freshHome();
    (await initWallet(home, PASS)).close();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(walletFile(home)).mode & 0o777).toBe(0o600);
    const before = sha256(walletFile(home));
    expect(await asyncCodeOf(initWallet(home, 'another passphrase'))).toBe('wallet_exists');
    expect(sha256(walletFile(home))).toBe(before);
    (await openWallet(home, PASS)).close();
  });

  it('a wrong passphrase fails with wrong_passphrase and leaves the file byte for byte as it was', async () => {
    const home = freshHome();
    const wallet = await initWallet(home, PASS);
    await storeTestCredential(wallet);
    wallet.close();
    const before = sha256(walletFile(home));
    expect(await asyncCodeOf(openWallet(home, 'wrong passphrase'))).toBe('wrong_passphrase');
    expect(sha256(walletFile(home))).toBe(before);
    expect(existsSync(`${walletFile(home)}-wal`)).toBe(false);
    const reopened = await openWallet(home, PASS);
    expect(reopened.credentials.list()).toHaveLength(1);
    reopened.close();
  });

  it('opening where there is no wallet fails with wallet_not_initialized and creates nothing', async () => {
    const home = freshHome();
    expect(await asyncCodeOf(openWallet(home, PASS))).toBe('wallet_not_initialized');
    expect(existsSync(home)).toBe(false);
  });

  it('refuses a file that is not a wallet', async () => {
    const home = freshHome();
    (await initWallet(home, PASS)).close();
    writeFileSync(walletFile(home), 'not sqlite at all, just some text that is long enough to be a header...');
    await expect(openWallet(home, PASS)).rejects.toThrow();
  });
});

describe('credential repository', () => {
  it('round-trips a credential sealed: the raw file holds no claim value and no disclosure', async () => {
    const home = freshHome();
    const wallet = await initWallet(home, PASS);
    const { id, compact } = await storeTestCredential(wallet);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(wallet.credentials.compact(id)).toBe(compact);
    const [record] = wallet.credentials.list();
    expect(record).toMatchObject({ id, issuerName: 'Test KYC', vct: IDENTITY_VCT, assuranceLevel: 'IAL2', sandbox: true });
    wallet.close();

    const raw = Buffer.concat(
      ['', '-wal'].filter((s) => existsSync(`${walletFile(home)}${s}`)).map((s) => readFileSync(`${walletFile(home)}${s}`)),
    );
    for (const value of [PERSON.family_name, PERSON.given_name, PERSON.birthdate, PERSON.address.locality, PERSON.phone_number ?? '']) {
      expect(raw.includes(Buffer.from(value, 'utf8')), 'a claim value is stored in the clear').toBe(false);
    }
    for (const d of decodeSdJwt(compact).disclosures) {
      expect(raw.includes(Buffer.from(d.encoded)), 'a disclosure is stored in the clear').toBe(false);
    }
    expect(raw.includes(Buffer.from(compact.split('.')[0] as string))).toBe(false);
  });

  it('a sealed credential moved to another row does not open (the id is bound in)', async () => {
    const wallet = await initWallet(freshHome(), PASS);
    const a = await storeTestCredential(wallet);
    const b = await storeTestCredential(wallet);
    const sealed = wallet.db.prepare('SELECT sealed FROM credentials WHERE id = ?').get(a.id) as { sealed: string };
    wallet.db.prepare('UPDATE credentials SET sealed = ? WHERE id = ?').run(sealed.sealed, b.id);
    expectCode(() => wallet.credentials.compact(b.id), 'malformed');
    wallet.close();
  });

  it('a failed transaction leaves neither the holder key nor the credential', async () => {
    const wallet = await initWallet(freshHome(), PASS);
    await expect(
      wallet.transaction(async () => {
        await storeTestCredential(wallet);
        throw new Error('network went away');
      }),
    ).rejects.toThrow('network went away');
    expect(wallet.credentials.list()).toHaveLength(0);
    expect(wallet.db.prepare('SELECT COUNT(*) AS n FROM veramo_keys').get()).toEqual({ n: 0 });
    wallet.close();
  });
});

describe('shomei init / list on the command line', () => {
  it('asks twice on a terminal and refuses different answers', async () => {
    const home = freshHome();
    const ctx = captureContext({}, { answers: ['one passphrase', 'another one'] });
    expect(await runCli(['--home', home, 'init'], ctx)).toBe(2);
    expect(ctx.err()).toContain('shomei: the passphrases do not match');
    expect(existsSync(walletFile(home))).toBe(false);

    const ok = captureContext({}, { answers: [PASS, PASS] });
    expect(await runCli(['--home', home, 'init'], ok)).toBe(0);
    expect(ok.out()).toContain(`Created wallet at ${walletFile(home)}`);
  });

  it('without SHOMEI_PASSPHRASE and without a terminal it says how to give one', async () => {
    const home = freshHome();
    const ctx = captureContext({ SHOMEI_HOME: home });
    expect(await runCli(['init'], ctx)).toBe(2);
    expect(ctx.err()).toBe('shomei: no passphrase: set SHOMEI_PASSPHRASE or run shomei in a terminal\n');
  });

  it('reports a wrong passphrase and a missing wallet on stderr without a stack', async () => {
    const home = freshHome();
    expect(await runCli(['init'], captureContext({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: PASS }))).toBe(0);
    const wrong = captureContext({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: 'nope' });
    expect(await runCli(['list'], wrong)).toBe(1);
    expect(wrong.err()).toBe('shomei: wrong passphrase\n');
    const missing = captureContext({ SHOMEI_PASSPHRASE: PASS });
    expect(await runCli(['--home', freshHome(), 'list'], missing)).toBe(1);
    expect(missing.err()).toMatch(/^shomei: no wallet in .*; create one with `shomei init`\n$/);
  });
});
