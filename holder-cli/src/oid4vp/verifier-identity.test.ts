import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDENTITY_VCT } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, NOW, TEST_PASSPHRASE, walletWithCredential } from '../testing/fixtures.js';
import { type TestPki, testPki } from '../testing/test-pki.js';

// The consent screen says how the verifier was identified and whether that identity is proven;
// an unsigned request is marked as unverified wherever the verifier is named.
let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;
let home: string;
let pki: TestPki;
let rootsFile: string;
let localhost: string;

beforeAll(async () => {
  verifier = await startFakeVerifier();
  ({ home } = await walletWithCredential());
  pki = await testPki(['localhost'], NOW);
  rootsFile = join(home, 'my-roots.pem');
  writeFileSync(rootsFile, pki.root.pem);
  localhost = verifier.origin.replace('127.0.0.1', 'localhost');
});
afterAll(() => verifier.close());

const env = (extra: Record<string, string> = {}) => ({ SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE, ...extra });
const DCQL = {
  credentials: [{ id: 'identity', format: 'dc+sd-jwt', meta: { vct_values: [IDENTITY_VCT] }, claims: [{ path: ['family_name'] }] }],
};

function redirectRequest(id: string): { uri: string; clientId: string } {
  const responseUri = `${verifier.origin}/responses/${id}`;
  const clientId = `redirect_uri:${responseUri}`;
  const q = new URLSearchParams({
    client_id: clientId,
    response_type: 'vp_token',
    response_mode: 'direct_post',
    response_uri: responseUri,
    nonce: `nonce-${id}-0123456789abcdef`,
    dcql_query: JSON.stringify(DCQL),
    client_metadata: JSON.stringify({ client_name: 'Corner Shop' }),
  });
  return { uri: `openid4vp://?${q}`, clientId };
}

function x509Request(clientId: string) {
  // The response goes to the certificate's DNS name (localhost), on the fake verifier's port.
  return verifier.publish({
    claims: [['family_name']],
    payload: { client_id: clientId },
    header: { kid: undefined, x5c: pki.x5c },
    signWith: pki.leaf,
    responseOrigin: localhost,
  });
}

describe('the consent screen names how the verifier was identified', () => {
  it('redirect_uri: marked UNVERIFIED on the screen, in the question, the result and --json; no state is sent back', async () => {
    const { uri, clientId } = redirectRequest('redirect-1');
    const ctx = captureContext(env());
    expect(await runCli(['present', uri, '--yes'], ctx)).toBe(0);
    const screen = ctx.out();
    expect(screen).toContain('未確認の相手 / UNVERIFIED verifier: Corner Shop');
    expect(screen).toContain('the request is not signed: anyone could have sent it');
    expect(screen).not.toContain('verified with');
    expect(screen).toContain('Share this 1 claim with UNVERIFIED verifier Corner Shop? [y/N] yes (--yes)');
    expect(screen).toContain('Shared 1 claim with UNVERIFIED verifier Corner Shop.');
    const form = verifier.received.find((r) => r.id === 'redirect-1')?.form;
    expect(form?.has('vp_token')).toBe(true);
    expect(form?.has('state')).toBe(false);

    const json = captureContext(env());
    expect(await runCli(['present', redirectRequest('redirect-2').uri, '--yes', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out()).verifier).toMatchObject({ identified_by: 'redirect_uri', verified: false, signature_verified: false });

    const history = captureContext(env());
    expect(await runCli(['history', '--json'], history)).toBe(0);
    expect(history.out()).toContain(clientId);
  });

  it('x509_san_dns: the certificate DNS name and the trusted root it chains to, with roots from --verifier-roots', async () => {
    const published = x509Request('x509_san_dns:localhost');
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes', '--verifier-roots', rootsFile], ctx)).toBe(0);
    const screen = ctx.out();
    expect(screen).toContain('identified by certificate for localhost: request signature and chain verified');
    expect(screen).toContain('certificate issued under trusted root CN=Shomei Test Verifier Root');
    expect(screen).toContain('Share this 1 claim with Demo Shop?');
    expect(screen).not.toContain('UNVERIFIED');
    expect(verifier.received.find((r) => r.id === published.id)?.form.has('vp_token')).toBe(true);
  });

  it('x509_hash: the hash and the leaf subject, with roots from SHOMEI_VERIFIER_ROOTS', async () => {
    const hash = createHash('sha256').update(pki.leaf.cert.raw).digest('base64url');
    const published = x509Request(`x509_hash:${hash}`);
    const ctx = captureContext(env({ SHOMEI_VERIFIER_ROOTS: rootsFile }));
    expect(await runCli(['present', published.uri, '--yes', '--json'], ctx)).toBe(0);
    expect(ctx.err()).toContain(`identified by certificate hash ${hash}`);
    expect(ctx.err()).toContain('certificate CN=localhost (localhost)');
    expect(JSON.parse(ctx.out()).verifier).toMatchObject({
      identified_by: 'x509_hash',
      identity: hash,
      verified: true,
      certificate: { subject: 'CN=localhost', dns_names: ['localhost'], root: 'CN=Shomei Test Verifier Root' },
    });
  });

  it('without trust roots a certificate-identified verifier is refused as untrusted, and nothing is sent', async () => {
    const published = x509Request('x509_san_dns:localhost');
    const ctx = captureContext(env());
    expect(await runCli(['present', published.uri, '--yes'], ctx)).toBe(1);
    expect(ctx.err()).toMatch(/^shomei: the verifier identifies itself with a certificate, and no verifier trust roots are configured/);
    expect(verifier.received.find((r) => r.id === published.id)).toBeUndefined();
  });

  it('reads <home>/verifier-roots.pem when no file is named; a named file that is missing is a usage error', async () => {
    writeFileSync(join(home, 'verifier-roots.pem'), pki.root.pem);
    const published = x509Request('x509_san_dns:localhost');
    expect(await runCli(['present', published.uri, '--yes'], captureContext(env()))).toBe(0);

    const missing = captureContext(env());
    expect(
      await runCli(['present', x509Request('x509_san_dns:localhost').uri, '--yes', '--verifier-roots', join(home, 'nope.pem')], missing),
    ).toBe(2);
    expect(missing.err()).toContain('cannot read the verifier trust roots');
  });
});
