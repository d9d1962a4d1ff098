#!/usr/bin/env node
// Identity proofing and batch issuance, measured in one run on the built dist/ (no network: the
// hono app is called in-process). Prints figures and the ratios between them.
import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateEs256KeyPair,
  IDENTITY_CONFIGURATION_ID,
  PRE_AUTHORIZED_GRANT,
  PROOF_TYP,
  parseCredentialOfferUri,
  signJws,
} from '@shomei/shared';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';
import { createIssuerApp, openIssuerDeps } from '../dist/index.js';
import { CrlStore } from '../dist/proofing/jpki/crl-store.js';
import { createCrl, createTestCa, issueApplicantCertificate } from '../dist/proofing/jpki/test-ca.js';

const BASE = 'http://127.0.0.1:4000';
const dir = mkdtempSync(join(tmpdir(), 'shomei-bench-'));
const { ca } = await createTestCa();
const revoked = Array.from({ length: 1000 }, (_, i) => ({ serial: (0x100000 + i).toString(16), date: new Date().toISOString() }));
const crlPem = (await createCrl(ca, revoked)).toString('pem');
const deps = await openIssuerDeps({
  dbFile: join(dir, 'issuer.db'),
  secret: 'bench secret',
  baseUrl: BASE,
  sandbox: { enabled: true, adminToken: 'bench-admin' },
  log: () => {},
  settings: { applicationsPerMinute: 1e9 },
  proofing: {
    jpki: { anchors: [ca.cert], crls: new CrlStore({ locations: ['mem'], refreshSeconds: 3600, load: async () => crlPem }) },
    uploadsDir: join(dir, 'uploads'),
  },
});
const app = createIssuerApp(deps);
const json = (path, body, token) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

async function timed(n, f) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  return (performance.now() - t0) / 1000;
}

// 1. JPKI: whole application (challenge, chain, CRL of 1000 entries, RSA signature, attributes) vs a bare RSA-2048 verify.
const cert = await issueApplicantCertificate(ca, {
  name: '山田 太郎',
  gender: '1',
  birthdate: '19910814',
  address: '東京都千代田区千代田1-1',
});
const key = createPrivateKey(cert.keyPem);
const N_JPKI = 200;
const jpkiSeconds = await timed(N_JPKI, async () => {
  const created = await (await json('/v1/applications', { method: 'jpki' })).json();
  const signature = sign('sha256', Buffer.from(created.challenge), key).toString('base64url');
  const res = await json(
    `/v1/applications/${created.id}/jpki`,
    {
      certificate_chain: [cert.certPem],
      challenge: created.challenge,
      signature,
      supplement: { family_name_kana: 'ヤマダ', given_name_kana: 'タロウ', postal_code: '100-0001' },
    },
    created.secret,
  );
  if (res.status !== 200) throw new Error(`jpki answered ${res.status}`);
});
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const sig = sign('sha256', Buffer.from('x'), rsa.privateKey);
const pub = rsa.publicKey;
const N_RSA = 5000;
const rsaSeconds = await timed(N_RSA, () => verify('sha256', Buffer.from('x'), pub, sig));

// 2. Issuance: 10 credentials as one batch request (10 proofs) vs 10 one-proof requests (10 offers).
async function accessToken() {
  const offer = await (
    await json(
      '/v1/sandbox/offers',
      {
        identity: SAMPLE_IDENTITY,
      },
      'bench-admin',
    )
  ).json();
  const parsed = parseCredentialOfferUri(offer.offer_uri);
  const code = parsed.offer.grants[PRE_AUTHORIZED_GRANT]['pre-authorized_code'];
  const res = await app.request('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code, tx_code: offer.tx_code }).toString(),
  });
  return (await res.json()).access_token;
}
async function credentialRequest(holders) {
  const token = await accessToken();
  const { c_nonce } = await (await app.request('/nonce', { method: 'POST' })).json();
  const iat = Math.floor(Date.now() / 1000);
  const proofs = holders.map((h) =>
    signJws({ typ: PROOF_TYP, alg: 'ES256', jwk: h.publicJwk }, { aud: BASE, iat, nonce: c_nonce }, h.privateKey),
  );
  const res = await json('/credential', { credential_configuration_id: IDENTITY_CONFIGURATION_ID, proofs: { jwt: proofs } }, token);
  if (res.status !== 200) throw new Error(`credential answered ${res.status}`);
  return (await res.json()).credentials.length;
}
const ROUNDS = 30;
const holders = Array.from({ length: 10 }, () => generateEs256KeyPair());
await credentialRequest(holders); // warm-up
const batchSeconds = await timed(ROUNDS, () => credentialRequest(holders));
const singleSeconds = await timed(ROUNDS * 10, (i) => credentialRequest([holders[i % 10]]));

const jpkiRate = N_JPKI / jpkiSeconds;
const rsaRate = N_RSA / rsaSeconds;
const batchRate = (ROUNDS * 10) / batchSeconds;
const singleRate = (ROUNDS * 10) / singleSeconds;
console.log(
  `jpki applications approved:          ${jpkiRate.toFixed(1)} /s  (${((1000 * jpkiSeconds) / N_JPKI).toFixed(2)} ms each; CRL of ${revoked.length} entries)`,
);
console.log(`raw RSA-2048 signature verify:       ${rsaRate.toFixed(0)} /s`);
console.log(`  ratio jpki application / raw verify: ${(jpkiRate / rsaRate).toFixed(4)}`);
console.log(`credentials, batches of 10 proofs:   ${batchRate.toFixed(1)} /s  (offer, token, nonce, credential per 10)`);
console.log(`credentials, one proof per request:  ${singleRate.toFixed(1)} /s  (offer, token, nonce, credential per 1)`);
console.log(`  ratio batch / single:                ${(batchRate / singleRate).toFixed(2)}x`);
deps.db.close();
rmSync(dir, { recursive: true, force: true });
