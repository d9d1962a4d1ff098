import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_VCT, jwkThumbprint, type PublicJwk } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeIssuer } from '../testing/fake-issuer.js';
import { captureContext, NOW, PERSON, TEST_PASSPHRASE } from '../testing/fixtures.js';
import { openWallet } from '../wallet/wallet.js';

let issuer: Awaited<ReturnType<typeof startFakeIssuer>>;

beforeAll(async () => {
  issuer = await startFakeIssuer();
});
afterAll(() => issuer.close());

async function newHome(): Promise<string> {
  const home = join(mkdtempSync(join(tmpdir(), 'shomei-receive-')), 'wallet');
  expect(await runCli(['--home', home, 'init'], captureContext({ SHOMEI_PASSPHRASE: TEST_PASSPHRASE }))).toBe(0);
  return home;
}

const env = (home: string, extra: Record<string, string> = {}) => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE, ...extra });

async function countRows(home: string): Promise<{ keys: number; credentials: number }> {
  const wallet = await openWallet(home, TEST_PASSPHRASE);
  try {
    const keys = (wallet.db.prepare('SELECT COUNT(*) AS n FROM veramo_keys').get() as { n: number }).n;
    return { keys, credentials: wallet.credentials.list().length };
  } finally {
    wallet.close();
  }
}

describe('shomei receive (OpenID4VCI pre-authorized code)', () => {
  it('receives, checks and stores the credential; list and show read it back', async () => {
    const home = await newHome();
    const offer = issuer.offer();
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], ctx)).toBe(0);
    const id = /^Received credential ([0-9a-f]{8})\n/.exec(ctx.out())?.[1];
    expect(id, ctx.out() + ctx.err()).toBeDefined();
    expect(ctx.out()).toContain(`Issuer     テスト KYC <${issuer.origin}>`);
    expect(ctx.out()).toContain('Assurance  IAL2 (sandbox)');
    expect(ctx.out()).toMatch(
      /Claims {5}family_name, given_name, family_name#ja-Kana-JP, given_name#ja-Kana-JP, birthdate, gender, phone_number, address\.postal_code/,
    );

    // The proof: typ, the holder's JWK without kid, aud = credential_issuer, a fresh c_nonce.
    const proof = issuer.proofs.at(-1);
    expect(proof?.header).toMatchObject({ typ: 'openid4vci-proof+jwt', alg: 'ES256' });
    expect(proof?.payload).toMatchObject({ aud: issuer.origin, iat: Math.floor(NOW.getTime() / 1000) });
    expect(typeof proof?.payload.nonce).toBe('string');

    const list = captureContext(env(home));
    expect(await runCli(['list', '--json'], list)).toBe(0);
    const [entry] = JSON.parse(list.out()) as Record<string, unknown>[];
    expect(entry).toMatchObject({
      id,
      issuer: issuer.origin,
      issuer_name: 'テスト KYC',
      vct: IDENTITY_VCT,
      assurance_level: 'IAL2',
      sandbox: true,
    });
    expect(entry?.issued_at).toBe(NOW.toISOString());

    const show = captureContext(env(home));
    expect(await runCli(['show', id as string, '--json'], show)).toBe(0);
    const shown = JSON.parse(show.out()) as { credential: string; claims: Record<string, unknown> };
    expect(shown.credential).toBe(issuer.issued.at(-1));
    expect(shown.claims.family_name).toBe(PERSON.family_name);
    expect(shown.claims.age_equal_or_over).toEqual({ '18': true, '20': true, '65': false });
    expect(shown.claims).not.toHaveProperty('iss');

    // The stored credential is bound to the key the wallet made for it.
    const wallet = await openWallet(home, TEST_PASSPHRASE);
    const record = wallet.credentials.get(id as string);
    const key = await wallet.vault.signingKey(record?.holderKid as string);
    wallet.close();
    expect(jwkThumbprint(proof?.header.jwk as PublicJwk)).toBe(jwkThumbprint(key.publicJwk));

    const human = captureContext(env(home));
    expect(await runCli(['show', id as string], human)).toBe(0);
    expect(human.out()).toMatch(/\n {2}family_name +山田\n/);
    const rows = human
      .out()
      .split('\n')
      .filter((l) => /^ {2}(address\.locality|address\.region|gender|age_equal_or_over\.65) /.test(l));
    expect(rows.map((l) => l.replace(/ +/g, ' '))).toEqual([
      ' gender female',
      ' address.region 東京都',
      ' address.locality 千代田区',
      ' age_equal_or_over.65 no',
    ]);
    expect(new Set(rows.map((l) => /^ {2}\S+ +/.exec(l)?.[0].length)).size).toBe(1);
  });

  it("a wrong tx_code gives the issuer's description and changes nothing", async () => {
    const home = await newHome();
    const offer = issuer.offer();
    const wrong = offer.txCode === '123456' ? '654321' : '123456';
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', offer.uri, '--tx-code', wrong], ctx)).toBe(1);
    expect(ctx.err()).toBe(
      // Plain words first, the issuer's own description, then the OAuth code for whoever helps.
      'shomei: the issuer did not accept the offer code or the transaction code: wrong tx_code (4 attempts left) (invalid_grant)\n' +
        '  hint: check the transaction code the issuer sent you and try again\n',
    );
    expect(ctx.err()).not.toContain(wrong);
    expect(await countRows(home)).toEqual({ keys: 0, credentials: 0 });
  });

  it('a tx_code of the wrong shape is a usage error and is not sent', async () => {
    const home = await newHome();
    const offer = issuer.offer();
    const ctx = captureContext(env(home, { SHOMEI_TX_CODE: '12ab' }));
    expect(await runCli(['receive', offer.uri], ctx)).toBe(2);
    expect(ctx.err()).toBe('shomei: the transaction code must be digits only\n');
    // The code still works: the bad one never reached the issuer.
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], captureContext(env(home)))).toBe(0);
  });

  it("asks for the tx_code on a terminal, showing the offer's description", async () => {
    const home = await newHome();
    const offer = issuer.offer();
    const ctx = captureContext(env(home), { answers: [offer.txCode] });
    expect(await runCli(['receive', offer.uri, '--json'], ctx)).toBe(0);
    expect(ctx.err()).toContain('テスト KYC: メールで届いた6桁のコード');
    expect(JSON.parse(ctx.out())).toMatchObject({ vct: IDENTITY_VCT, assurance_level: 'IAL2' });

    const noTerminal = captureContext(env(home));
    expect(await runCli(['receive', issuer.offer().uri], noTerminal)).toBe(2);
    expect(noTerminal.err()).toBe('shomei: this offer needs a transaction code: pass --tx-code <code> or set SHOMEI_TX_CODE\n');
  });

  it('fetches an offer passed by reference (credential_offer_uri)', async () => {
    const home = await newHome();
    const offer = issuer.offer('none', { byReference: true });
    expect(offer.uri).toContain('credential_offer_uri=');
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], captureContext(env(home)))).toBe(0);
    expect(await countRows(home)).toEqual({ keys: 1, credentials: 1 });
  });

  it('replaces a nonce the issuer rejects, once', async () => {
    const home = await newHome();
    const offer = issuer.offer('stale-nonce-once');
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], ctx)).toBe(0);
    expect(await countRows(home)).toEqual({ keys: 1, credentials: 1 });
  });

  it('refuses a credential bound to another key, keeping neither key nor credential', async () => {
    const home = await newHome();
    const offer = issuer.offer('bind-to-other-key');
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], ctx)).toBe(1);
    expect(ctx.err()).toBe("shomei: the credential is not bound to this wallet's key\n");
    expect(await countRows(home)).toEqual({ keys: 0, credentials: 0 });
  });

  it("refuses a credential not signed with one of the issuer's published keys", async () => {
    const home = await newHome();
    const offer = issuer.offer('sign-with-unpublished-key');
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], ctx)).toBe(1);
    expect(ctx.err()).toBe('shomei: signature does not verify\n');
    expect(await countRows(home)).toEqual({ keys: 0, credentials: 0 });
  });

  it('refuses an offer whose issuer metadata names another issuer', async () => {
    const home = await newHome();
    const offer = issuer.offer();
    const spoofed = offer.uri.replace(
      encodeURIComponent(issuer.origin),
      encodeURIComponent(issuer.origin.replace('127.0.0.1', 'localhost')),
    );
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', spoofed, '--tx-code', offer.txCode], ctx)).toBe(1);
    expect(ctx.err()).toBe("shomei: the issuer metadata names another credential_issuer than the offer's\n");
  });
});
