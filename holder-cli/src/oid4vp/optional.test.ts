import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySdJwtVc } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeIssuer } from '../testing/fake-issuer.js';
import { type Published, startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, NOW, PERSON, TEST_PASSPHRASE } from '../testing/fixtures.js';

let issuer: Awaited<ReturnType<typeof startFakeIssuer>>;
let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;
let home: string;

const env = () => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE });

beforeAll(async () => {
  [issuer, verifier] = await Promise.all([startFakeIssuer({ batchSize: 10 }), startFakeVerifier()]);
  home = join(mkdtempSync(join(tmpdir(), 'shomei-optional-')), 'wallet');
  expect(await runCli(['--home', home, 'init'], captureContext({ SHOMEI_PASSPHRASE: TEST_PASSPHRASE }))).toBe(0);
  const offer = issuer.offer();
  expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode], captureContext(env()))).toBe(0);
});
afterAll(async () => {
  await Promise.all([issuer.close(), verifier.close()]);
});

/** The claims the verifier received, checked as a verifier would. */
async function claimsReceived(published: Published): Promise<Record<string, unknown>> {
  const form = verifier.received.find((r) => r.id === published.id)?.form;
  const vp = JSON.parse(form?.get('vp_token') ?? '{}') as Record<string, string[]>;
  const verified = await verifySdJwtVc(vp.identity?.[0] as string, {
    now: NOW,
    resolveIssuerKey: () => issuer.issuer().key.publicKey,
    expectedNonce: published.nonce,
    expectedAud: verifier.clientId,
  });
  return verified.claims;
}

const ASK = [['family_name'], { path: ['address', 'locality'], optional: true }, { path: ['phone_number'], optional: true }];

describe('optional claims (DCQL claim_sets, contract 2)', () => {
  it('--yes shares the optional claims too; --only leaves out the optional ones it does not name', async () => {
    const all = verifier.publish({ claims: ASK });
    expect(await runCli(['present', all.uri, '--yes'], captureContext(env()))).toBe(0);
    const got = await claimsReceived(all);
    expect(got.family_name).toBe(PERSON.family_name);
    expect(got.address).toEqual({ locality: PERSON.address.locality });
    expect(got.phone_number).toBe(PERSON.phone_number);

    const only = verifier.publish({ claims: ASK });
    const ctx = captureContext(env());
    expect(await runCli(['present', only.uri, '--yes', '--only', 'address.locality', '--json'], ctx)).toBe(0);
    const out = JSON.parse(ctx.out()) as { disclosed: string[][]; left_out: string[][] };
    expect(out.disclosed).toEqual([['family_name'], ['address', 'locality']]);
    expect(out.left_out).toEqual([['phone_number']]);
    const some = await claimsReceived(only);
    expect(some.family_name).toBe(PERSON.family_name); // required: --only cannot drop it
    expect(some.address).toEqual({ locality: PERSON.address.locality });
    expect(some).not.toHaveProperty('phone_number');
  });

  it('--only naming a claim that was not asked for is a usage error, and nothing is sent', async () => {
    const published = verifier.publish({ claims: ASK });
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes', '--only', 'birthdate'], ctx)).toBe(2);
    expect(ctx.err()).toContain('--only names claims the verifier did not ask for: birthdate');
    expect(verifier.received.find((r) => r.id === published.id)).toBeUndefined();
  });

  it('asks about each optional claim on a terminal; "n" leaves it out of what the verifier receives', async () => {
    const published = verifier.publish({ claims: ASK });
    const ctx = captureContext(env(), { answers: ['n', 'y', 'y'] });
    expect(await runCli(['present', published.uri], ctx)).toBe(0);
    expect(ctx.out()).toContain('The verifier marks these claims optional');
    expect(ctx.out()).toMatch(/電話番号 \/ Phone number \(任意 \/ optional\) +090-1234-5678/);
    expect(ctx.out()).toContain('Left out: 市区町村 / City');
    const got = await claimsReceived(published);
    expect(got).not.toHaveProperty('address');
    expect(got.phone_number).toBe(PERSON.phone_number);
  });

  it('a request without claim_sets has no optional claims: every claim is required', async () => {
    const published = verifier.publish({ claims: [['family_name'], ['nationality']] });
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes'], ctx)).toBe(1);
    expect(ctx.err()).toContain('missing: nationality');
    // The same claim marked optional does not rule the credential out.
    const optional = verifier.publish({ claims: [['family_name'], { path: ['nationality'], optional: true }] });
    const ok = captureContext(env());
    expect(await runCli(['present', optional.uri, '--yes'], ok)).toBe(0);
    expect(ok.out()).toContain('Left out: nationality (not in this credential)');
  });

  it('accepts the bare request URI (the text under a QR code), wrapped and padded', async () => {
    const published = verifier.publish({ claims: [['given_name']] });
    const pasted = `  ${published.requestUri.slice(0, 20)}\n${published.requestUri.slice(20)}\n`;
    const ctx = captureContext(env());
    expect(await runCli(['present', pasted, '--yes'], ctx)).toBe(0);
    expect((await claimsReceived(published)).given_name).toBe(PERSON.given_name);
    const bad = captureContext(env());
    expect(await runCli(['present', 'http://example.com/requests/1', '--yes'], bad)).toBe(1);
    expect(bad.err()).toContain('the request_uri must be https');
  });
});

describe('choosing among matching credentials', () => {
  it('lists the candidates on a terminal and uses the one chosen; --credential picks in scripts', async () => {
    const other = await startFakeIssuer();
    try {
      const offer = other.offer();
      const got = captureContext(env());
      expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--json'], got)).toBe(0);
      const secondId = (JSON.parse(got.out()) as { id: string }).id;

      const published = verifier.publish({ claims: [['given_name']] });
      const ctx = captureContext(env(), { answers: ['2', 'y'] });
      expect(await runCli(['present', published.uri, '--json'], ctx)).toBe(0);
      expect(ctx.err()).toContain('2 credentials can answer:');
      const listed = [...ctx.err().matchAll(/^ {2}(\d)\) ([0-9a-f]{8}) /gm)].map((m) => m[2]);
      expect(listed).toHaveLength(2);
      expect((JSON.parse(ctx.out()) as { credential_id: string }).credential_id).toBe(listed[1]);

      const scripted = verifier.publish({ claims: [['given_name']] });
      const pick = captureContext(env());
      expect(await runCli(['present', scripted.uri, '--yes', '--credential', secondId, '--json'], pick)).toBe(0);
      expect((JSON.parse(pick.out()) as { credential_id: string }).credential_id).toBe(secondId);

      const wrong = captureContext(env());
      expect(await runCli(['present', verifier.publish().uri, '--yes', '--credential', 'ffffffff'], wrong)).toBe(2);
    } finally {
      await other.close();
    }
  });
});
