#!/usr/bin/env node
// A bounded load run on loopback against the real services (`shomei-issuer serve`, `shomei-verifier serve`):
// POST /credential with N distinct holders (each its own access token, c_nonce and proof) and POST /v1/verify
// with one presentation, each through autocannon. Prints latency percentiles and throughput; exits 1 on any
// error or non-2xx answer. Not a timed test: run it by hand or from CI (`node test/hardening/loadrun.mjs`).
//   SHOMEI_LOAD_CREDENTIALS (default 2000)  SHOMEI_LOAD_SECONDS (default 8)  SHOMEI_LOAD_CONNECTIONS (default 20)
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_IDENTITY, ROOT, startNetwork } from '../../scripts/lib/harness.mjs';

const require = createRequire(join(ROOT, 'verifier', 'package.json'));
const autocannon = require('autocannon');
const shared = await import(join(ROOT, 'shared', 'dist', 'index.js'));

const N = Number(process.env.SHOMEI_LOAD_CREDENTIALS ?? 2000);
const SECONDS = Number(process.env.SHOMEI_LOAD_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.SHOMEI_LOAD_CONNECTIONS ?? 20);

const dir = mkdtempSync(join(tmpdir(), 'shomei-load-'));
const net = await startNetwork(join(dir, 'services'));
let failed = false;
try {
  const issuer = net.issuer.url;
  const post = (path, body, headers) => fetch(`${issuer}${path}`, { method: 'POST', headers, body });
  /** A holder ready to ask for its credential: offer → token → c_nonce → proof (not measured). */
  const prepareHolder = async (holder = shared.generateEs256KeyPair()) => {
    const offer = await (
      await post('/v1/sandbox/offers', JSON.stringify({ identity: DEMO_IDENTITY }), {
        authorization: `Bearer ${net.adminToken}`,
        'content-type': 'application/json',
      })
    ).json();
    const code = shared.parseCredentialOfferUri(offer.offer_uri).offer.grants[shared.PRE_AUTHORIZED_GRANT]['pre-authorized_code'];
    const form = new URLSearchParams({ grant_type: shared.PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code, tx_code: offer.tx_code });
    const { access_token } = await (await post('/token', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' })).json();
    const { c_nonce } = await (await post('/nonce')).json();
    const proof = shared.signJws(
      { typ: shared.PROOF_TYP, alg: 'ES256', jwk: holder.publicJwk },
      { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce: c_nonce },
      holder.privateKey,
    );
    return {
      token: access_token,
      holder,
      body: JSON.stringify({ credential_configuration_id: shared.IDENTITY_CONFIGURATION_ID, proofs: { jwt: [proof] } }),
    };
  };
  const prepared = [];
  for (let i = 0; i < N; i += 50) {
    prepared.push(...(await Promise.all(Array.from({ length: Math.min(50, N - i) }, () => prepareHolder()))));
  }

  let next = 0;
  const credentials = await autocannon({
    url: `${issuer}/credential`,
    connections: CONNECTIONS,
    amount: N,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const p = prepared[next++];
          return { ...req, headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' }, body: p.body };
        },
      },
    ],
  });

  // One presentation of a credential issued above, verified over and over (stateless /v1/verify).
  const first = prepared[0];
  const fresh = await (async () => {
    const again = await prepareHolder(first.holder);
    const res = await post('/credential', again.body, { authorization: `Bearer ${again.token}`, 'content-type': 'application/json' });
    return (await res.json()).credentials[0].credential;
  })();
  const nonce = 'load-run-nonce-0123456789';
  const aud = 'load-run';
  const vp = await shared.presentSdJwtVc(fresh, [['age_equal_or_over', '20'], ['birthdate']], {
    holderKey: first.holder.privateKey,
    nonce,
    aud,
    iat: new Date(),
  });
  const check = await (
    await fetch(`${net.verifier.url}/v1/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${net.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ presentation: vp, nonce, aud, preset: 'age_over_20' }),
    })
  ).json();
  if (!check.valid) throw new Error(`the presentation does not verify: ${JSON.stringify(check.errors)}`);
  const verify = await autocannon({
    url: `${net.verifier.url}/v1/verify`,
    method: 'POST',
    headers: { authorization: `Bearer ${net.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ presentation: vp, nonce, aud, preset: 'age_over_20' }),
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 10,
  });

  const line = (name, r) =>
    `  ${name.padEnd(28)} ${String(r.requests.total).padStart(6)} requests  ${r.requests.average.toFixed(0).padStart(5)}/s  ` +
    `latency p50 ${r.latency.p50} ms  p90 ${r.latency.p90} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  ` +
    `errors ${r.errors}  timeouts ${r.timeouts}  non-2xx ${r.non2xx}`;
  console.log(
    `load run on loopback (node ${process.version}, ${availableParallelism()} cores, ${CONNECTIONS} connections, one issuer and one verifier process)`,
  );
  console.log(line(`POST /credential (${N} holders)`, credentials));
  console.log(line(`POST /v1/verify (${SECONDS} s)`, verify));
  for (const r of [credentials, verify]) if (r.errors || r.timeouts || r.non2xx) failed = true;
  if (credentials.requests.total !== N) failed = true;
} finally {
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.error('load run: errors or non-2xx answers');
  process.exit(1);
}
