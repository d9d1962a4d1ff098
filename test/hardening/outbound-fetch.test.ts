// Traffic an outsider can steer (issue 14, item 1): a presentation names its own `iss`, and with trust
// anchors configured the verifier looks unlisted issuers up. Through `POST /v1/verify` of a real
// verifier process run without the private-network setting, presentations whose `iss` is a loopback
// listener of this test (on many paths) or the link-local metadata address must cause no request at all.
// (With the setting on, the same lookup does arrive: verifier/src/accreditation/accreditation.test.ts.)
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEs256KeyPair, IDENTITY_VCT, identityClaims, issueSdJwtVc, presentSdJwtVc } from '@shomei/shared';
import { SAMPLE_IDENTITY as SAMPLE } from '@shomei/shared/identity/sample';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret, type Service } from '../../scripts/lib/harness.mjs';
import { startVerifierWithTrust } from './client.js';

const issuerKey = generateEs256KeyPair();
const holder = generateEs256KeyPair();
const anchor = generateEs256KeyPair();
const anchorDid = `did:jwk:${Buffer.from(JSON.stringify(anchor.publicJwk)).toString('base64url')}`;

let dir: string;
let counter: Server;
let counterOrigin: string;
const hits: string[] = [];
let verifier: Service;
let apiKey: string;

async function presentationFrom(iss: string, nonce: string, aud: string): Promise<string> {
  const issuedAt = new Date(Date.now() - 60_000);
  const credential = await issueSdJwtVc(
    { kid: 'k1', privateKey: issuerKey.privateKey, publicJwk: issuerKey.publicJwk },
    {
      issuer: iss,
      vct: IDENTITY_VCT,
      claims: identityClaims(SAMPLE, issuedAt),
      visible: { verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2', time: issuedAt.toISOString() } },
      holderJwk: holder.publicJwk,
      status: { idx: 1, uri: `${iss}/status-lists/1` },
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + 86_400_000),
      containersNotDisclosable: ['age_equal_or_over'],
    },
  );
  return presentSdJwtVc(credential, [['age_equal_or_over', '20']], { holderKey: holder.privateKey, nonce, aud, iat: new Date() });
}

async function verify(iss: string, n: number): Promise<{ valid: boolean; errors: { code: string }[] }> {
  const nonce = `n-${n}`;
  const aud = 'https://shop.example';
  const res = await fetch(`${verifier.url}/v1/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ presentation: await presentationFrom(iss, nonce, aud), nonce, aud, preset: 'age_over_20' }),
  });
  if (res.status !== 200) throw new Error(`verify: ${res.status} ${await res.text()}`);
  return (await res.json()) as { valid: boolean; errors: { code: string }[] };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shomei-outbound-'));
  counter = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => counter.listen(0, '127.0.0.1', r));
  counterOrigin = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;
  // The harness turns the private-network setting on for everything it starts; this verifier runs without it.
  const env = { SHOMEI_VERIFIER_SECRET: newSecret(), SHOMEI_ALLOW_PRIVATE_NETWORK: '0' };
  ({ verifier, apiKey } = await startVerifierWithTrust(dir, { issuers: [], anchors: [{ did: anchorDid, name: 'Test anchor' }] }, env));
}, 60_000);

afterAll(async () => {
  await verifier?.stop();
  await new Promise((resolve) => counter?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('outbound fetches an outsider cannot steer (real verifier process)', () => {
  it('an unlisted iss on a loopback listener (40 paths) or the metadata address causes no request', async () => {
    expect(verifier.output()).toContain('outbound      https to public addresses only');
    const targets = [
      ...Array.from({ length: 40 }, (_, i) => `${counterOrigin}/kyc-${i}`),
      counterOrigin,
      'http://169.254.169.254',
      'https://169.254.169.254',
      'https://[::ffff:169.254.169.254]',
      'https://2130706433',
    ];
    for (const [n, iss] of targets.entries()) {
      const result = await verify(iss, n);
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => e.code)).toContain('untrusted_issuer');
    }
    // The background refresh runs every 10 s: give it a round to go back to any of them.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(hits).toEqual([]);
  }, 60_000);
});
