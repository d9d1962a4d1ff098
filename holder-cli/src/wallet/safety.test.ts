import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSdJwt, verifySdJwtVc } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeIssuer } from '../testing/fake-issuer.js';
import { startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, NOW, PERSON, TEST_PASSPHRASE } from '../testing/fixtures.js';
import { walletFile } from './location.js';
import { openWallet } from './wallet.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/shomei.js');

let issuer: Awaited<ReturnType<typeof startFakeIssuer>>;
let shopA: Awaited<ReturnType<typeof startFakeVerifier>>;
let shopB: Awaited<ReturnType<typeof startFakeVerifier>>;

beforeAll(async () => {
  [issuer, shopA, shopB] = await Promise.all([
    startFakeIssuer({ batchSize: 10, refreshTokens: true }),
    startFakeVerifier(),
    startFakeVerifier(),
  ]);
});
afterAll(async () => {
  await Promise.all([issuer.close(), shopA.close(), shopB.close()]);
});

const env = (home: string, extra: Record<string, string> = {}) => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE, ...extra });

async function walletWithCopies(copies = 3): Promise<string> {
  const home = join(mkdtempSync(join(tmpdir(), 'shomei-safety-')), 'wallet');
  expect(await runCli(['init'], captureContext(env(home)))).toBe(0);
  const offer = issuer.offer();
  expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--copies', String(copies)], captureContext(env(home)))).toBe(0);
  return home;
}

/** The wallet file and its WAL, byte for byte. */
function fingerprint(home: string): string {
  const h = createHash('sha256');
  for (const suffix of ['', '-wal']) {
    const f = `${walletFile(home)}${suffix}`;
    h.update(existsSync(f) ? readFileSync(f) : Buffer.alloc(0));
  }
  return h.digest('hex');
}

/** What the wallet holds, as the person would see it, plus its key count and integrity. */
async function contents(home: string, passphrase = TEST_PASSPHRASE) {
  const wallet = await openWallet(home, passphrase);
  try {
    return {
      keys: (wallet.db.prepare('SELECT COUNT(*) AS n FROM veramo_keys').get() as { n: number }).n,
      credentials: wallet.credentials.list().map((r) => ({ ...r, compact: wallet.credentials.compact(r.id) })),
      history: wallet.history.list(),
      integrity: wallet.db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    wallet.close();
  }
}

describe('a failure leaves the wallet as it was', () => {
  it('a wrong passphrase, for any command, changes nothing', async () => {
    const home = await walletWithCopies();
    const before = fingerprint(home);
    for (const args of [
      ['list'],
      ['passphrase', 'change'],
      ['export', join(home, '..', 'b.json')],
      ['present', shopA.publish().uri, '--yes'],
    ]) {
      const ctx = captureContext(env(home, { SHOMEI_PASSPHRASE: 'not it', SHOMEI_NEW_PASSPHRASE: 'x', SHOMEI_BACKUP_PASSPHRASE: 'y' }));
      expect(await runCli(args, ctx)).toBe(1);
      expect(ctx.err()).toBe('shomei: wrong passphrase\n');
    }
    expect(fingerprint(home)).toBe(before);
    expect(existsSync(join(home, '..', 'b.json'))).toBe(false);
    expect(shopA.received).toHaveLength(0);
  });

  it('a corrupted wallet file is reported and left alone', async () => {
    const home = await walletWithCopies();
    const file = walletFile(home);
    const bytes = readFileSync(file);
    bytes.write('this is not SQLite', 0); // the header
    writeFileSync(file, bytes);
    const before = fingerprint(home);
    const ctx = captureContext(env(home));
    expect(await runCli(['list'], ctx)).toBe(1);
    expect(ctx.err()).toBe('shomei: the wallet file is not a Shomei wallet or is damaged\n');
    expect(fingerprint(home)).toBe(before);

    // A sealed value altered inside an intact file: named as damage, not as a wrong passphrase.
    const altered = await walletWithCopies(1);
    const w = await openWallet(altered, TEST_PASSPHRASE);
    const row = w.db.prepare('SELECT id, sealed FROM credentials').get() as { id: string; sealed: string };
    const parts = row.sealed.split('.');
    parts[3] = `${parts[3]?.startsWith('A') ? 'B' : 'A'}${parts[3]?.slice(1)}`;
    w.db.prepare('UPDATE credentials SET sealed = ? WHERE id = ?').run(parts.join('.'), row.id);
    w.close();
    const alteredBefore = fingerprint(altered);
    const a = captureContext(env(altered));
    expect(await runCli(['show', row.id, '--offline'], a)).toBe(1);
    expect(a.err()).toBe(`shomei: the wallet file is damaged: credential ${row.id} cannot be decrypted\n`);
    expect(fingerprint(altered)).toBe(alteredBefore);

    const truncated = await walletWithCopies();
    writeFileSync(walletFile(truncated), readFileSync(walletFile(truncated)).subarray(0, 3000));
    const t = captureContext(env(truncated));
    expect(await runCli(['show', 'deadbeef'], t)).toBe(1);
    expect(t.err()).toMatch(/^shomei: (the wallet file is not a Shomei wallet or is damaged|.* is not an initialized Shomei wallet)\n$/);
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`a receive interrupted (${signal}) while the issuer is answering keeps neither keys nor credentials`, async () => {
      const home = await walletWithCopies(2);
      const before = await contents(home);
      const offer = issuer.offer('hang');
      const requestsBefore = issuer.requests.length;
      const child = spawn(process.execPath, [BIN, 'receive', offer.uri, '--tx-code', offer.txCode, '--copies', '5'], {
        env: { ...process.env, ...env(home) },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // Wait until the wallet has made its five keys and the credential request is in flight.
      const deadline = Date.now() + 20_000;
      while (issuer.requests.length === requestsBefore) {
        if (Date.now() > deadline) throw new Error('the credential request never arrived');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(issuer.requests.at(-1)).toEqual({ proofs: 5 });
      child.kill(signal);
      await exited;
      issuer.offer(); // back to normal behaviour for the wallet's later top-up
      const after = await contents(home);
      expect(after).toEqual(before);
      expect(after.integrity).toBe('ok');
      // And the wallet still works.
      expect(await runCli(['present', shopA.publish().uri, '--yes'], captureContext(env(home)))).toBe(0);
    });
  }
});

describe('shomei passphrase change', () => {
  it('re-encrypts everything: the old passphrase stops working, the new one opens keys, credentials, history and refresh tokens', async () => {
    const home = await walletWithCopies(4);
    expect(await runCli(['present', shopA.publish().uri, '--yes'], captureContext(env(home)))).toBe(0);
    const before = await contents(home);
    const oldSealed = await (async () => {
      const w = await openWallet(home, TEST_PASSPHRASE);
      try {
        return [
          ...(w.db.prepare('SELECT sealed FROM credentials').all() as { sealed: string }[]).map((r) => r.sealed),
          ...(w.db.prepare('SELECT sealed FROM veramo_private_keys').all() as { sealed: string }[]).map((r) => r.sealed),
        ];
      } finally {
        w.close();
      }
    })();

    const NEW = '新しい合言葉 long enough';
    const ctx = captureContext(env(home, { SHOMEI_NEW_PASSPHRASE: NEW }));
    expect(await runCli(['passphrase', 'change'], ctx)).toBe(0);
    expect(ctx.out()).toContain('Passphrase changed.');

    const old = captureContext(env(home));
    expect(await runCli(['list'], old)).toBe(1);
    expect(old.err()).toBe('shomei: wrong passphrase\n');
    const after = await contents(home, NEW);
    expect(after).toEqual(before);
    const w = await openWallet(home, NEW);
    try {
      const batch = w.credentials.batches()[0];
      expect(w.credentials.refreshToken(batch?.id as string)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    } finally {
      w.close();
    }
    // Nothing sealed under the old key is left in the file or its WAL.
    const raw = Buffer.concat(
      ['', '-wal'].filter((s) => existsSync(`${walletFile(home)}${s}`)).map((s) => readFileSync(`${walletFile(home)}${s}`)),
    );
    for (const sealed of oldSealed) expect(raw.includes(Buffer.from(sealed.split('.')[3] as string))).toBe(false);
    // Presenting signs with a holder key unsealed under the new passphrase.
    expect(await runCli(['present', shopB.publish().uri, '--yes'], captureContext(env(home, { SHOMEI_PASSPHRASE: NEW })))).toBe(0);
  });

  it('asks for the new passphrase twice on a terminal and changes nothing when they differ', async () => {
    const home = await walletWithCopies(1);
    const before = fingerprint(home);
    const ctx = captureContext(env(home), { answers: ['one', 'two'] });
    expect(await runCli(['passphrase', 'change'], ctx)).toBe(2);
    expect(ctx.err()).toBe('shomei: the new passphrases do not match\n');
    expect(fingerprint(home)).toBe(before);
  });
});

describe('shomei export / import', () => {
  it('export → import on a fresh home → present succeeds, with the history and copies carried over', async () => {
    const home = await walletWithCopies(3);
    const first = shopA.publish({ claims: [['family_name']] });
    expect(await runCli(['present', first.uri, '--yes'], captureContext(env(home)))).toBe(0);
    const backup = join(home, '..', 'backup.json');
    const BACKUP = 'バックアップ passphrase';
    const out = captureContext(env(home, { SHOMEI_BACKUP_PASSPHRASE: BACKUP }));
    expect(await runCli(['export', backup, '--json'], out)).toBe(0);
    expect(JSON.parse(out.out())).toMatchObject({ file: backup, credentials: 1, history: 1 });
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const text = readFileSync(backup, 'utf8');
    for (const v of [PERSON.family_name, PERSON.birthdate, PERSON.address.locality, 'Demo Shop']) expect(text).not.toContain(v);
    expect(JSON.parse(text)).toMatchObject({ format: 'shomei-wallet-backup', version: 1, kdf: { name: 'scrypt' } });

    // A second export to the same file is refused.
    const again = captureContext(env(home, { SHOMEI_BACKUP_PASSPHRASE: BACKUP }));
    expect(await runCli(['export', backup], again)).toBe(2);
    expect(again.err()).toContain('exists; choose another name or pass --force');

    // Another machine: a fresh home and another wallet passphrase.
    const fresh = join(mkdtempSync(join(tmpdir(), 'shomei-restore-')), 'wallet');
    const wrong = captureContext({ SHOMEI_HOME: fresh, SHOMEI_PASSPHRASE: 'other', SHOMEI_BACKUP_PASSPHRASE: 'not it' });
    expect(await runCli(['import', backup], wrong)).toBe(1);
    expect(wrong.err()).toBe('shomei: wrong backup passphrase, or the backup file is damaged\n');
    expect(existsSync(walletFile(fresh))).toBe(false);

    const restoreEnv = { SHOMEI_HOME: fresh, SHOMEI_PASSPHRASE: 'another machine 🔑', SHOMEI_BACKUP_PASSPHRASE: BACKUP };
    const imported = captureContext(restoreEnv);
    expect(await runCli(['import', backup, '--json'], imported)).toBe(0);
    expect(JSON.parse(imported.out())).toMatchObject({ created: true, keys: 3, credentials: 3, history: 1, skipped: 0 });

    const second = shopB.publish({ claims: [['given_name'], ['age_equal_or_over', '20']] });
    const ctx = captureContext(restoreEnv);
    expect(await runCli(['present', second.uri, '--yes'], ctx), ctx.err()).toBe(0);
    const vp = JSON.parse(shopB.received.find((r) => r.id === second.id)?.form.get('vp_token') ?? '{}') as Record<string, string[]>;
    const presentation = vp.identity?.[0] as string;
    const verified = await verifySdJwtVc(presentation, {
      now: NOW,
      resolveIssuerKey: () => issuer.issuer().key.publicKey,
      expectedNonce: second.nonce,
      expectedAud: shopB.clientId,
    });
    expect(verified.claims.given_name).toBe(PERSON.given_name);
    // The restored history knew which copy shop A saw: shop B got another one.
    const vpA = JSON.parse(shopA.received.find((r) => r.id === first.id)?.form.get('vp_token') ?? '{}') as Record<string, string[]>;
    expect(decodeSdJwt(presentation).issuerJws.payload.cnf).not.toEqual(decodeSdJwt(vpA.identity?.[0] as string).issuerJws.payload.cnf);
    const history = captureContext(restoreEnv);
    expect(await runCli(['history', '--json'], history)).toBe(0);
    expect((JSON.parse(history.out()) as { verifier: { client_id: string } }[]).map((h) => h.verifier.client_id)).toEqual([
      shopA.clientId,
      shopB.clientId,
    ]);

    // Importing again into the same wallet adds nothing twice.
    const twice = captureContext(restoreEnv);
    expect(await runCli(['import', backup, '--json'], twice)).toBe(0);
    expect(JSON.parse(twice.out())).toMatchObject({ created: false, keys: 0, credentials: 0, history: 0 });
  });
});
