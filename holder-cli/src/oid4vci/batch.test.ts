import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSdJwt, jwkThumbprint, type PublicJwk, verifySdJwtVc } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeIssuer } from '../testing/fake-issuer.js';
import { type Published, startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, NOW, TEST_PASSPHRASE } from '../testing/fixtures.js';
import { openWallet } from '../wallet/wallet.js';

type Issuer = Awaited<ReturnType<typeof startFakeIssuer>>;
type Verifier = Awaited<ReturnType<typeof startFakeVerifier>>;

let batchIssuer: Issuer;
let plainIssuer: Issuer;
let shopA: Verifier;
let shopB: Verifier;

beforeAll(async () => {
  [batchIssuer, plainIssuer, shopA, shopB] = await Promise.all([
    startFakeIssuer({ batchSize: 10 }),
    startFakeIssuer(),
    startFakeVerifier(),
    startFakeVerifier(),
  ]);
});
afterAll(async () => {
  await Promise.all([batchIssuer.close(), plainIssuer.close(), shopA.close(), shopB.close()]);
});

async function newHome(): Promise<string> {
  const home = join(mkdtempSync(join(tmpdir(), 'shomei-batch-')), 'wallet');
  expect(await runCli(['--home', home, 'init'], captureContext({ SHOMEI_PASSPHRASE: TEST_PASSPHRASE }))).toBe(0);
  return home;
}
const env = (home: string) => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE });

async function receive(home: string, issuer: Issuer, extra: string[] = []): Promise<Record<string, unknown>> {
  const offer = issuer.offer();
  const ctx = captureContext(env(home));
  expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--json', ...extra], ctx), ctx.err()).toBe(0);
  return JSON.parse(ctx.out()) as Record<string, unknown>;
}

async function holderKeyCount(home: string): Promise<number> {
  const wallet = await openWallet(home, TEST_PASSPHRASE);
  try {
    return (wallet.db.prepare('SELECT COUNT(*) AS n FROM veramo_keys').get() as { n: number }).n;
  } finally {
    wallet.close();
  }
}

/** The presentation a fake verifier received for a published request. */
function received(verifier: Verifier, published: Published): string {
  const form = verifier.received.find((r) => r.id === published.id)?.form;
  const vp = JSON.parse(form?.get('vp_token') ?? '{}') as Record<string, string[]>;
  return vp.identity?.[0] as string;
}

describe('batch issuance (OpenID4VCI 1.0 §8.2, contract 1)', () => {
  it('asks for min(batch_size, wanted) copies in one request, one key per proof, one c_nonce', async () => {
    const home = await newHome();
    const before = batchIssuer.proofs.length;
    const out = await receive(home, batchIssuer, ['--copies', '4']);
    expect(out.copies).toBe(4);
    expect(batchIssuer.requests.at(-1)).toEqual({ proofs: 4 });
    const proofs = batchIssuer.proofs.slice(before);
    expect(proofs).toHaveLength(4);
    expect(new Set(proofs.map((p) => p.payload.nonce)).size).toBe(1);
    expect(new Set(proofs.map((p) => jwkThumbprint(p.header.jwk as PublicJwk))).size).toBe(4);
    expect(await holderKeyCount(home)).toBe(4);

    // list shows one credential with 4 fresh copies; every copy is bound to its own wallet key.
    const list = captureContext(env(home));
    expect(await runCli(['list', '--json', '--offline'], list)).toBe(0);
    expect(JSON.parse(list.out())).toMatchObject([{ id: out.id, copies: 4, unused_copies: 4 }]);
    const wallet = await openWallet(home, TEST_PASSPHRASE);
    const batch = wallet.credentials.batch(out.id as string);
    const bound = new Set<string>();
    for (const copy of batch?.copies ?? []) {
      const cnf = decodeSdJwt(wallet.credentials.compact(copy.id) as string).issuerJws.payload.cnf as { jwk: PublicJwk };
      const key = await wallet.vault.signingKey(copy.holderKid);
      expect(jwkThumbprint(cnf.jwk)).toBe(jwkThumbprint(key.publicJwk));
      bound.add(copy.holderKid);
    }
    wallet.close();
    expect(bound.size).toBe(4);
  });

  it('asks for the whole batch_size by default when it is at most 10, and one copy from an issuer without batches', async () => {
    const home = await newHome();
    expect((await receive(home, batchIssuer)).copies).toBe(10);
    expect(batchIssuer.requests.at(-1)).toEqual({ proofs: 10 });
    expect((await receive(home, plainIssuer, ['--copies', '5'])).copies).toBe(1);
    expect(plainIssuer.requests.at(-1)).toEqual({ proofs: 1 });
  });

  it('refuses an answer with fewer credentials than proofs, keeping nothing', async () => {
    const home = await newHome();
    const offer = batchIssuer.offer('short-batch');
    const ctx = captureContext(env(home));
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--copies', '3'], ctx)).toBe(1);
    expect(ctx.err()).toContain('the issuer returned 2 credentials for 3 key proofs');
    expect(await holderKeyCount(home)).toBe(0);
  });
});

describe('privacy across verifiers', () => {
  it('two presentations of one credential to two verifiers share no issuer signature, digest, salt or holder key', async () => {
    const home = await newHome();
    const out = await receive(home, batchIssuer, ['--copies', '3']);
    const askA = shopA.publish({ claims: [['family_name'], ['address', 'locality']] });
    const askB = shopB.publish({ claims: [['family_name'], ['address', 'locality']] });
    expect(await runCli(['present', askA.uri, '--yes'], captureContext(env(home)))).toBe(0);
    expect(await runCli(['present', askB.uri, '--yes'], captureContext(env(home)))).toBe(0);
    const a = received(shopA, askA);
    const b = received(shopB, askB);

    const issuerKey = batchIssuer.issuer().key.publicKey;
    const va = await verifySdJwtVc(a, {
      now: NOW,
      resolveIssuerKey: () => issuerKey,
      expectedNonce: askA.nonce,
      expectedAud: shopA.clientId,
    });
    const vb = await verifySdJwtVc(b, {
      now: NOW,
      resolveIssuerKey: () => issuerKey,
      expectedNonce: askB.nonce,
      expectedAud: shopB.clientId,
    });
    // Both are the same person's same credential, as each verifier sees it…
    expect(va.claims.family_name).toBe(vb.claims.family_name);
    const da = decodeSdJwt(a);
    const db = decodeSdJwt(b);
    // …but nothing a verifier holds matches what the other holds.
    const signature = (compact: string) => compact.split('~')[0]?.split('.')[2];
    expect(signature(a)).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(signature(a)).not.toBe(signature(b));
    const digests = (p: Record<string, unknown>): string[] => JSON.stringify(p).match(/"[A-Za-z0-9_-]{43}"/g) ?? [];
    expect(digests(da.issuerJws.payload).length).toBeGreaterThan(8);
    const shared = digests(da.issuerJws.payload).filter((d) => digests(db.issuerJws.payload).includes(d));
    expect(shared).toEqual([]);
    expect(da.disclosures.map((d) => d.salt).filter((s) => db.disclosures.some((e) => e.salt === s))).toEqual([]);
    expect(da.disclosures.map((d) => d.encoded).filter((s) => db.disclosures.some((e) => e.encoded === s))).toEqual([]);
    const cnf = (p: Record<string, unknown>) => jwkThumbprint((p.cnf as { jwk: PublicJwk }).jwk);
    expect(cnf(da.issuerJws.payload)).not.toBe(cnf(db.issuerJws.payload));
    expect(JSON.stringify(da.issuerJws.payload.status)).not.toBe(JSON.stringify(db.issuerJws.payload.status));

    // The same verifier asking again gets the copy it already saw: no copy is spent on it.
    const again = shopA.publish({ claims: [['family_name']] });
    expect(await runCli(['present', again.uri, '--yes'], captureContext(env(home)))).toBe(0);
    expect(signature(received(shopA, again))).toBe(signature(a));
    const list = captureContext(env(home));
    expect(await runCli(['list', '--json', '--offline'], list)).toBe(0);
    expect(JSON.parse(list.out())).toMatchObject([{ id: out.id, copies: 3, unused_copies: 1 }]);
  });

  it('warns when every copy has been shown, and asks the issuer for more when it runs low', async () => {
    const refreshing = await startFakeIssuer({ batchSize: 4, refreshTokens: true });
    try {
      const home = await newHome();
      const offer = refreshing.offer();
      expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--copies', '4'], captureContext(env(home)))).toBe(0);
      // Three verifiers: after the third copy is spent only one is fresh (<= 4/4), so the wallet refills.
      const shops = [shopA, shopB, await startFakeVerifier()];
      const outs: string[] = [];
      for (const shop of shops) {
        const ask = shop.publish({ claims: [['given_name']] });
        const ctx = captureContext(env(home));
        expect(await runCli(['present', ask.uri, '--yes', '--json'], ctx), ctx.err()).toBe(0);
        outs.push(ctx.err());
        expect(JSON.parse(ctx.out()).copies_left).toBeGreaterThan(0);
      }
      await shops[2]?.close();
      expect(outs.join('')).toContain('fetched 3 fresh copies of credential');
      expect(refreshing.requests.map((r) => r.proofs)).toEqual([4, 3]);
      const list = captureContext(env(home));
      expect(await runCli(['list', '--json', '--offline'], list)).toBe(0);
      expect(JSON.parse(list.out())).toMatchObject([{ copies: 7, unused_copies: 4 }]);
    } finally {
      await refreshing.close();
    }

    // Without a refresh token: the wallet says how many fresh copies are left, and once all are
    // spent the next verifier is warned before consenting.
    const home = await newHome();
    const offer = batchIssuer.offer();
    expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--copies', '2'], captureContext(env(home)))).toBe(0);
    const first = captureContext(env(home));
    expect(await runCli(['present', shopA.publish().uri, '--yes'], first)).toBe(0);
    expect(first.err()).toMatch(/note: only 1 fresh copy of credential [0-9a-f]{8} left; ask the issuer for a new offer/);
    const second = captureContext(env(home));
    expect(await runCli(['present', shopB.publish().uri, '--yes'], second)).toBe(0);
    expect(second.err()).toContain('0 fresh copies of credential');
    expect(second.out()).not.toContain('warning:');
    const shopC = await startFakeVerifier();
    const third = captureContext(env(home));
    expect(await runCli(['present', shopC.publish().uri, '--yes'], third)).toBe(0);
    await shopC.close();
    expect(third.out()).toContain('warning: every copy of this credential has been shown to another verifier');
  });
});
