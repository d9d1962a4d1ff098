#!/usr/bin/env node
// `pnpm demo`: the whole credential journey on fresh temporary data, step by step, with the real
// services and the real wallet binary. Exits 0 only if both presentations were accepted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, createPresentationRequest, DEMO_IDENTITY, getPresentationRequest, mustRun, startNetwork } from './lib/harness.mjs';

const tty = process.stdout.isTTY;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
let stepNo = 0;
const step = (title) => console.log(`\n${bold(`[${++stepNo}] ${title}`)}`);
const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

const dir = mkdtempSync(join(tmpdir(), 'shomei-demo-'));
let net;
let ok = false;
try {
  step('Start the issuer (KYC body, sandbox proofing) and the verifier (a business)');
  net = await startNetwork(join(dir, 'services'));
  console.log(`    issuer   ${net.issuer.url}\n    verifier ${net.verifier.url}`);

  const walletEnv = { SHOMEI_HOME: join(dir, 'wallet'), SHOMEI_PASSPHRASE: 'demo passphrase' };
  const wallet = (args) => mustRun(BIN.wallet, args, { env: walletEnv });

  step('Create a wallet (shomei init)');
  console.log(indent((await wallet(['init'])).stdout));

  step('SANDBOX: the issuer turns an identity record into a credential offer');
  const identityFile = join(dir, 'identity.json');
  writeFileSync(identityFile, JSON.stringify(DEMO_IDENTITY));
  const offerOut = await mustRun(BIN.issuer, ['sandbox', 'offer', '--issuer', net.issuer.url, '--identity', identityFile, '--json'], {
    env: { SHOMEI_ISSUER_ADMIN_TOKEN: net.adminToken },
  });
  const offer = JSON.parse(offerOut.stdout);
  console.log(`    offer    ${offer.offer_uri.slice(0, 72)}…\n    tx_code  ${offer.tx_code}`);

  step('The wallet redeems the offer over OpenID4VCI (shomei receive)');
  console.log(indent((await wallet(['receive', offer.offer_uri, '--tx-code', offer.tx_code])).stdout));
  console.log(indent((await wallet(['list'])).stdout));

  const verdicts = [];
  for (const preset of ['age_over_20', 'identity_basic']) {
    step(`The business asks for ${preset} (OpenID4VP request)`);
    const req = await createPresentationRequest(net.verifier.url, net.apiKey, { preset });
    console.log(`    ${req.request_uri.slice(0, 100)}…`);

    step(`The person consents and presents (shomei present --yes)`);
    console.log(indent((await wallet(['present', req.request_uri, '--yes'])).stdout));

    step(`The business reads the verdict`);
    const record = await getPresentationRequest(net.verifier.url, net.apiKey, req.id);
    const verdict = record.status === 'accepted' ? green('ACCEPTED') : red(record.status.toUpperCase());
    console.log(`    ${verdict}  disclosed: ${JSON.stringify(record.result?.disclosed ?? {})}`);
    if (record.result?.errors?.length) console.log(`    errors: ${JSON.stringify(record.result.errors)}`);
    verdicts.push(record.status === 'accepted');
  }
  ok = verdicts.every(Boolean);
  console.log(`\n${ok ? green('Demo complete: both presentations accepted.') : red('Demo failed: a presentation was not accepted.')}`);
} catch (e) {
  console.error(red(`\nDemo failed: ${e instanceof Error ? e.message : String(e)}`));
} finally {
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
