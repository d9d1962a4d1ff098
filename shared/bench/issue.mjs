#!/usr/bin/env node
// Single-core SD-JWT VC issuance throughput beside the raw ES256 signature rate, measured in the
// same run: the ratio is what matters, not the absolute figure of this machine.
import { sign } from 'node:crypto';
import { SAMPLE_IDENTITY } from '../dist/identity/sample.js';
import { generateEs256KeyPair, IDENTITY_VCT, identityClaims, issueSdJwtVc, issueSdJwtVcFast } from '../dist/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const issuer = generateEs256KeyPair();
const holder = generateEs256KeyPair();
const key = { kid: 'bench', privateKey: issuer.privateKey, publicJwk: issuer.publicJwk };
const now = new Date();
const record = SAMPLE_IDENTITY;
const input = (idx) => ({
  issuer: 'https://issuer.example.jp',
  vct: IDENTITY_VCT,
  claims: identityClaims(record, now),
  visible: { verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2', time: now.toISOString() } },
  holderJwk: holder.publicJwk,
  status: { idx, uri: 'https://issuer.example.jp/status-lists/1' },
  issuedAt: now,
  expiresAt: new Date(now.getTime() + 365 * 86400_000),
  containersNotDisclosable: ['age_equal_or_over'],
});

async function rate(name, fn) {
  for (let i = 0; i < 200; i++) await fn(i); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(SECONDS * 1e9);
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 50; i++) await fn(n++);
  }
  const perSec = n / (Number(process.hrtime.bigint() - start) / 1e9);
  console.log(`${name.padEnd(34)} ${perSec.toFixed(0).padStart(8)} /s`);
  return perSec;
}

const payload = Buffer.from('x'.repeat(900)); // about the size of a credential's signing input
const raw = await rate('raw ES256 sign (node:crypto)', () =>
  sign('sha256', payload, { key: issuer.privateKey, dsaEncoding: 'ieee-p1363' }),
);
const stock = await rate('issue via @sd-jwt/sd-jwt-vc', (i) => issueSdJwtVc(key, input(i)));
const fast = await rate('issueSdJwtVcFast', (i) => issueSdJwtVcFast(key, input(i)));
console.log(`ratio stock/raw ${(stock / raw).toFixed(2)}   fast/raw ${(fast / raw).toFixed(2)}   (target fast/raw >= 0.40, one core)`);
