import { decodeSdJwt, generateEs256KeyPair, verifySdJwtVc } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { type Published, startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, NOW, PERSON, TEST_PASSPHRASE, type TestIssuer, walletWithCredential } from '../testing/fixtures.js';

let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;
let home: string;
let credentialId: string;
let issuer: TestIssuer;

beforeAll(async () => {
  verifier = await startFakeVerifier();
  ({ home, id: credentialId, issuer } = await walletWithCredential());
});
afterAll(() => verifier.close());

const env = () => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE });

function responseTo(published: Published): URLSearchParams | undefined {
  return verifier.received.find((r) => r.id === published.id)?.form;
}

/** Verifies what the fake verifier received as a real verifier would, and returns the claims. */
async function verifyReceived(
  published: Published,
): Promise<{ claims: Record<string, unknown>; disclosures: number; presentation: string }> {
  const form = responseTo(published);
  expect(form?.get('state')).toBe(published.state);
  const vpToken = JSON.parse(form?.get('vp_token') ?? 'null') as Record<string, string[]>;
  expect(Object.keys(vpToken)).toEqual(['identity']);
  const presentation = vpToken.identity?.[0] as string;
  const verified = await verifySdJwtVc(presentation, {
    now: NOW,
    resolveIssuerKey: () => issuer.key.publicKey,
    expectedNonce: published.nonce,
    expectedAud: verifier.clientId,
  });
  expect(verified.keyBinding.present).toBe(true);
  return { claims: verified.claims, disclosures: decodeSdJwt(presentation).disclosures.length, presentation };
}

const PERSONAL = [
  'family_name',
  'given_name',
  'family_name#ja-Kana-JP',
  'given_name#ja-Kana-JP',
  'birthdate',
  'gender',
  'phone_number',
  'address',
];

describe('shomei present', () => {
  it('--yes --json: shares a name and the whole address, and nothing else', async () => {
    const published = verifier.publish({ claims: [['family_name'], ['address']] });
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes', '--json'], ctx)).toBe(0);

    const out = JSON.parse(ctx.out()) as Record<string, unknown>;
    expect(out.verifier).toEqual({
      client_id: verifier.clientId,
      name: 'Demo Shop',
      identified_by: 'decentralized_identifier',
      identity: verifier.did,
      verified: true,
      signature_verified: true,
      response_uri: `${verifier.origin}/responses/${published.id}`,
    });
    expect(out.purpose).toBe('年齢確認のため');
    expect(out.credential_id).toBe(credentialId);
    expect(out.disclosed).toEqual([
      ['family_name'],
      ['address', 'postal_code'],
      ['address', 'region'],
      ['address', 'locality'],
      ['address', 'street_address'],
      ['address', 'formatted'],
      ['address', 'country'],
    ]);
    expect(out.response).toEqual({ status: 'accepted', errors: [] });

    const { claims, disclosures, presentation } = await verifyReceived(published);
    expect(out.presentation).toBe(presentation);
    expect(claims.family_name).toBe(PERSON.family_name);
    expect(claims.address).toEqual({ ...PERSON.address, formatted: expect.any(String) });
    for (const name of PERSONAL.filter((n) => n !== 'family_name' && n !== 'address')) expect(claims[name]).toBeUndefined();
    expect(claims.age_equal_or_over).toEqual({});
    expect(disclosures).toBe(1 + 1 + 6); // family_name, the address container, its six members

    // The consent screen went to stderr, so stdout is only the JSON.
    expect(ctx.err()).toContain('Share these 7 claims with Demo Shop? [y/N] yes (--yes)');
    expect(ctx.err()).toContain('千代田区');
  });

  it('an age check shows and sends one predicate, never the birthdate', async () => {
    const published = verifier.publish({ claims: [['age_equal_or_over', '20']] });
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes'], ctx)).toBe(0);
    const { claims, disclosures } = await verifyReceived(published);
    expect(disclosures).toBe(1);
    expect(claims.age_equal_or_over).toEqual({ '20': true });
    for (const name of PERSONAL) expect(claims[name]).toBeUndefined();

    const screen = ctx.out();
    expect(screen).toContain('request signature verified');
    expect(screen).toContain(verifier.clientId);
    expect(screen).toMatch(/Will be shared \(1 claim\):\n {2}CLAIM +VALUE\n {2}20歳以上 \/ Age 20 or over +yes\n/);
    expect(screen).not.toContain(PERSON.birthdate);
    expect(screen).not.toContain(PERSON.family_name);
    expect(screen).toContain('Share this 1 claim with Demo Shop? [y/N] yes (--yes)');
    expect(screen).toContain('Shared 1 claim with Demo Shop.\nVerifier answered: accepted\n');
  });

  it('without a terminal and without --yes it refuses (exit 2) and contacts nobody: the request stays unanswered', async () => {
    const published = verifier.publish({ claims: [['family_name']] });
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri], ctx)).toBe(2);
    expect(responseTo(published)).toBeUndefined();
    expect(ctx.err()).toContain('no terminal to ask for consent');
    expect(ctx.err()).toContain('--yes');
    // Still answerable afterwards, by someone at a terminal.
    const declined = captureContext(env(), { answers: ['n'] });
    expect(await runCli(['present', published.uri], declined)).toBe(3);
    const form = responseTo(published);
    expect(form?.get('error')).toBe('access_denied');
    expect(form?.get('state')).toBe(published.state);
    expect(form?.has('vp_token')).toBe(false);
    expect(declined.out()).toContain('Declined: nothing was shared with Demo Shop.');
  });

  it('asks on the terminal: "n" declines (exit 3), "y" shares', async () => {
    const no = verifier.publish({ claims: [['given_name']] });
    const declined = captureContext(env(), { answers: ['n'] });
    expect(await runCli(['present', no.uri, '--json'], declined)).toBe(3);
    expect(JSON.parse(declined.out())).toMatchObject({ declined: true, disclosed: [], response: { status: 'rejected' } });
    expect(responseTo(no)?.get('error')).toBe('access_denied');

    const yes = verifier.publish({ claims: [['given_name']] });
    expect(await runCli(['present', yes.uri], captureContext(env(), { answers: ['y'] }))).toBe(0);
    expect((await verifyReceived(yes)).claims.given_name).toBe(PERSON.given_name);
  });

  it('sends nothing when no credential has what is asked, or the request does not verify', async () => {
    const missing = verifier.publish({ claims: [['nationality']] });
    const ctx = captureContext(env());
    expect(await runCli(['present', missing.uri, '--yes'], ctx)).toBe(1);
    expect(ctx.err()).toBe(
      'shomei: no valid credential in this wallet has what the verifier asks for (missing: nationality)\n' +
        '  hint: see `shomei list`; receive a credential that holds what the verifier asks for\n',
    );
    expect(responseTo(missing)).toBeUndefined();

    const forged = verifier.publish({ signWith: generateEs256KeyPair() });
    const forgedCtx = captureContext(env());
    expect(await runCli(['present', forged.uri, '--yes'], forgedCtx)).toBe(1);
    expect(forgedCtx.err()).toBe('shomei: signature does not verify\n');
    expect(responseTo(forged)).toBeUndefined();
  });

  it("reports the verifier's refusal of a second answer", async () => {
    const published = verifier.publish();
    expect(await runCli(['present', published.uri, '--yes'], captureContext(env()))).toBe(0);
    const again = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes'], again)).toBe(1);
    expect(again.err()).toBe(
      'shomei: the verifier refused the response (replay): this request was already answered\n  hint: ask the verifier for a new request\n',
    );
  });
});
