// Interop: the OpenWallet Foundation's OpenID4VP verifier (@openid4vc/openid4vp 0.4.6,
// Openid4vpVerifier) makes authorization requests in every form a wallet may meet — client ids
// decentralized_identifier (did:web), x509_san_dns and x509_hash (a test CA given to the wallet as
// its verifier trust root), redirect_uri (unsigned); by value, by reference (GET and POST), as plain
// parameters; with and without state — and the real `shomei present` binary answers each. The OWF
// verifier then parses the response, and the SD-JWT VC is verified on its own with
// @sd-jwt/sd-jwt-vc 0.19.0 (issuer signature, key binding, nonce, aud, disclosures).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  DEMO_IDENTITY,
  mustRun,
  newSecret,
  runCli,
  type Service,
  sandboxOfferByCli,
  startService,
} from '../../scripts/lib/harness.mjs';
import { type ClientIdForm, type Delivery, makeVerifierPki, startOwfVerifier, type VerifierPki } from './lib/owf-verifier.js';

const VCT = 'urn:shomei:vct:jp-identity:1';
const DCQL = {
  credentials: [
    {
      id: 'identity',
      format: 'dc+sd-jwt',
      meta: { vct_values: [VCT] },
      claims: [{ path: ['family_name'] }, { path: ['age_equal_or_over', '20'] }],
    },
  ],
};

let dir: string;
let issuer: Service;
let owf: Awaited<ReturnType<typeof startOwfVerifier>>;
let stranger: VerifierPki;
let walletEnv: Record<string, string>;
let rootsFile: string;

function present(uri: string) {
  return runCli(BIN.wallet, ['present', uri, '--yes', '--json', '--verifier-roots', rootsFile], { env: walletEnv });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-owf-vp-'));
  const adminToken = newSecret();
  issuer = await startService(BIN.issuer, ['serve', '--host', '127.0.0.1', '--port', '0', '--data', join(dir, 'issuer'), '--sandbox'], {
    env: { SHOMEI_ISSUER_SECRET: newSecret(), SHOMEI_ISSUER_ADMIN_TOKEN: adminToken },
  });
  walletEnv = { SHOMEI_HOME: join(dir, 'wallet'), SHOMEI_PASSPHRASE: 'interop passphrase' };
  await mustRun(BIN.wallet, ['init'], { env: walletEnv });
  const { offer_uri, tx_code } = await sandboxOfferByCli(issuer.url, adminToken, dir);
  await mustRun(BIN.wallet, ['receive', offer_uri, '--tx-code', tx_code], { env: walletEnv });

  const pki = await makeVerifierPki(['localhost']);
  stranger = await makeVerifierPki(['localhost'], 'CN=Root The Wallet Never Heard Of');
  rootsFile = join(dir, 'verifier-roots.pem');
  writeFileSync(rootsFile, pki.rootPem);
  owf = await startOwfVerifier(pki);
}, 120_000);

afterAll(async () => {
  await owf?.close();
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The presentation verified without Shomei's code: issuer JWKS, status list, key binding to the holder's cnf key. */
async function verifyIndependently(presentation: string, expected: { nonce: string; aud: string }) {
  const meta = (await (await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`)).json()) as { jwks: JSONWebKeySet };
  const keys = createLocalJWKSet(meta.jwks);
  const issuerVerifier = async (data: string, sig: string) => {
    try {
      await compactVerify(`${data}.${sig}`, keys, { algorithms: ['ES256'] });
      return true;
    } catch {
      return false;
    }
  };
  const kbVerifier = async (data: string, sig: string, payload: Record<string, unknown>) => {
    const jwk = (payload.cnf as { jwk: JWK }).jwk;
    try {
      await compactVerify(`${data}.${sig}`, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
      return true;
    } catch {
      return false;
    }
  };
  const sdjwt = new SDJwtVcInstance({ hasher: digest, verifier: issuerVerifier, statusVerifier: issuerVerifier, kbVerifier });
  const result = await sdjwt.verify(presentation, { keyBindingNonce: expected.nonce, requiredClaimKeys: ['family_name'] });
  expect(result.kb?.payload.nonce).toBe(expected.nonce);
  expect(result.kb?.payload.aud).toBe(expected.aud);
  return result.payload as Record<string, unknown>;
}

const CASES: { form: ClientIdForm; delivery: Delivery; state: boolean }[] = [
  { form: 'decentralized_identifier', delivery: 'reference', state: true },
  { form: 'decentralized_identifier', delivery: 'value', state: false },
  { form: 'decentralized_identifier', delivery: 'reference_post', state: true },
  { form: 'x509_san_dns', delivery: 'reference', state: false },
  { form: 'x509_san_dns', delivery: 'value', state: true },
  { form: 'x509_hash', delivery: 'reference', state: true },
  { form: 'x509_hash', delivery: 'reference_post', state: false },
  { form: 'redirect_uri', delivery: 'parameters', state: false },
];

describe('the OWF OpenID4VP verifier drives the real shomei wallet', () => {
  for (const c of CASES) {
    it(`${c.form}, request ${c.delivery.replace('_', ' ')}, ${c.state ? 'with' : 'without'} state: answered and accepted by the OWF verifier`, async () => {
      const request = await owf.createRequest({ form: c.form, delivery: c.delivery, state: c.state, dcqlQuery: DCQL });
      if (c.delivery === 'value') expect(request.uri).toMatch(/[?&]request=ey/);
      if (c.delivery === 'parameters') expect(request.uri).not.toMatch(/[?&]request(_uri)?=/);
      const out = await present(request.uri);
      expect(out.code, out.stderr).toBe(0);
      const shown = JSON.parse(out.stdout) as { verifier: Record<string, unknown>; presentation: string; disclosed: string[][] };
      expect(shown.verifier).toMatchObject({ client_id: request.clientId, identified_by: c.form, verified: c.form !== 'redirect_uri' });
      expect(shown.disclosed).toEqual([['family_name'], ['age_equal_or_over', '20']]);

      const received = owf.responses.get(request.id) ?? {};
      expect('state' in received).toBe(c.state);
      if (c.state) expect(received.state).toBe(request.state);
      const parsed = await owf.parseResponse(request.id);
      if (parsed.type !== 'dcql') throw new Error(`the OWF verifier read a ${parsed.type} response`);
      const presentations = parsed.dcql.presentations;
      expect(Object.keys(presentations)).toEqual(['identity']);
      const presentation = presentations.identity?.[0] as string;
      expect(presentation).toBe(shown.presentation);

      const claims = await verifyIndependently(presentation, { nonce: parsed.expectedNonce, aud: request.clientId });
      expect(claims.family_name).toBe(DEMO_IDENTITY.family_name);
      expect(claims.age_equal_or_over).toEqual({ '20': true });
      expect(claims.birthdate).toBeUndefined();
      expect(claims.given_name).toBeUndefined();
      expect(claims.vct).toBe(VCT);
    });
  }
});

describe('requests the wallet refuses, sending nothing', () => {
  // The binary prints the message of the refusal; its stable code is asserted in holder-cli's request.test.ts.
  async function refused(options: Parameters<typeof owf.createRequest>[0], code: string) {
    const request = await owf.createRequest(options);
    const out = await present(request.uri);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^shomei: /);
    expect(owf.responses.has(request.id)).toBe(false);
    return { stderr: out.stderr, code };
  }

  it('decentralized_identifier as unsigned URL parameters: request_invalid', async () => {
    const { stderr } = await refused({ form: 'decentralized_identifier', delivery: 'parameters', dcqlQuery: DCQL }, 'request_invalid');
    expect(stderr).toContain('a decentralized_identifier verifier must send a signed request object');
  });

  it('decentralized_identifier with alg none: request_invalid', async () => {
    const { stderr } = await refused(
      { form: 'decentralized_identifier', delivery: 'reference', unsecured: true, dcqlQuery: DCQL },
      'request_invalid',
    );
    expect(stderr).toContain('a decentralized_identifier verifier must send a signed request object');
  });

  it('x509_san_dns with an x5c chain to a root the wallet does not trust: verifier_untrusted', async () => {
    const { stderr } = await refused({ form: 'x509_san_dns', delivery: 'reference', pki: stranger, dcqlQuery: DCQL }, 'verifier_untrusted');
    expect(stderr).toContain("the verifier's certificate chain does not lead to a configured trust root");
  });

  it('x509_hash by value with a chain to an unknown root: verifier_untrusted', async () => {
    const { stderr } = await refused({ form: 'x509_hash', delivery: 'value', pki: stranger, dcqlQuery: DCQL }, 'verifier_untrusted');
    expect(stderr).toContain("the verifier's certificate chain does not lead to a configured trust root");
  });
});
