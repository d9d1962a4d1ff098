// Load, concurrency and secrets across real processes: an issuer and a verifier as services, the `shomei`
// wallet binary, real HTTP on loopback.
//  - 1,000 parallel credential requests: all issued, status indexes unique, audit chain intact.
//  - 200 parallel submissions of the same presentation response: exactly one accepted.
//  - a full journey's logs and database files hold no PII value, passphrase, private key, token or code.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPrivateJwk } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  createPresentationRequest,
  DEMO_IDENTITY,
  getPresentationRequest,
  mustRun,
  type Network,
  newSecret,
  sandboxOfferByCli,
  startNetwork,
} from '../../scripts/lib/harness.mjs';
import { answerFor, credentialRequest, type Prepared, postResponse, prepareHolders, proof, statusIdx } from './client.js';

let dir: string;
let net: Network;
const logs: string[] = [];
const secrets = { issuerSecret: newSecret(), adminToken: newSecret(), verifierSecret: newSecret() };
const PASSPHRASE = 'hardening passphrase 🔒 long enough';
let walletEnv: Record<string, string>;
let holders: Prepared[] = [];
const issued: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-hardening-'));
  net = await startNetwork(join(dir, 'services'), { secrets, onOutput: (who: string, text: string) => logs.push(`[${who}] ${text}`) });
  walletEnv = { SHOMEI_HOME: join(dir, 'wallet'), SHOMEI_PASSPHRASE: PASSPHRASE };
  // The journey by the wallet binary: init, receive, present.
  await mustRun(BIN.wallet, ['init'], { env: walletEnv });
  const { offer_uri, tx_code } = await sandboxOfferByCli(net.issuer.url, secrets.adminToken, dir);
  await mustRun(BIN.wallet, ['receive', offer_uri, '--tx-code', tx_code], { env: walletEnv });
  const req = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'identity_full' });
  await mustRun(BIN.wallet, ['present', req.request_uri, '--yes'], { env: walletEnv });
  expect(((await getPresentationRequest(net.verifier.url, net.apiKey, req.id)) as { status: string }).status).toBe('accepted');
}, 120_000);

afterAll(async () => {
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('load and concurrency over loopback', () => {
  it('1,000 parallel credential requests: every one issued, status indexes unique, audit chain intact', async () => {
    holders = await prepareHolders(net.issuer.url, secrets.adminToken, DEMO_IDENTITY, 1000);
    const started = performance.now();
    const responses = await Promise.all(
      holders.map((p) => credentialRequest(net.issuer.url, p.token, proof(p.holder, net.issuer.url, p.nonce))),
    );
    const seconds = (performance.now() - started) / 1000;
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    for (const r of responses)
      issued.push(((await r.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential as string);
    const indexes = new Set(issued.map(statusIdx));
    expect(indexes.size).toBe(1000);
    console.log(`1,000 parallel credential requests: all 200 in ${seconds.toFixed(2)} s (${Math.round(1000 / seconds)}/s)`);
    const audit = await mustRun(BIN.issuer, ['audit', 'verify', '--data', join(dir, 'services', 'issuer'), '--json'], {
      env: { SHOMEI_ISSUER_SECRET: secrets.issuerSecret },
    });
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });
  }, 180_000);

  it('200 parallel submissions of the same presentation response: exactly one accepted, 199 replay', async () => {
    const req = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'age_over_20' });
    const p = holders[0] as Prepared;
    const { responseUri, body } = await answerFor(req.request_uri, issued[0] as string, p.holder, [['age_equal_or_over', '20']]);
    const responses = await Promise.all(Array.from({ length: 200 }, () => postResponse(responseUri, body)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    const codes = await Promise.all(
      responses.filter((r) => r.status === 409).map(async (r) => ((await r.json()) as { code: string }).code),
    );
    expect(new Set(codes)).toEqual(new Set(['replay']));
    const record = (await getPresentationRequest(net.verifier.url, net.apiKey, req.id)) as { status: string };
    expect(record.status).toBe('accepted');
  }, 60_000);
});

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** `root` and every folder under it. */
function foldersUnder(root: string): string[] {
  return [root, ...readdirSync(root).flatMap((name) => (statSync(join(root, name)).isDirectory() ? foldersUnder(join(root, name)) : []))];
}

/** The text of a file plus the decoding of every base64url run in it (JWTs, disclosures, tokens). */
function searchable(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  const utf8 = bytes.toString('utf8');
  const decoded = (text.match(/[A-Za-z0-9_-]{16,}/g) ?? []).map((run) => Buffer.from(run, 'base64url').toString('utf8'));
  return [utf8, ...decoded].join('\n');
}

describe('file modes after a journey', () => {
  it('every database file (with -wal and -shm) is 0600 and every data folder 0700: services and wallet', () => {
    const roots = [join(dir, 'services'), join(dir, 'wallet')];
    const files = roots.flatMap(filesUnder);
    const databases = files.filter((f) => /\.db(-wal|-shm)?$/.test(f));
    expect(
      databases
        .filter((f) => f.endsWith('.db'))
        .map((f) => f.slice(dir.length))
        .sort(),
    ).toEqual(['/services/issuer/issuer.db', '/services/verifier/verifier.db', '/wallet/wallet.db'].sort());
    const loose = [
      ...databases.filter((f) => (statSync(f).mode & 0o777) !== 0o600),
      ...roots.flatMap(foldersUnder).filter((d) => (statSync(d).mode & 0o777) !== 0o700),
    ];
    expect(loose.map((p) => `${p.slice(dir.length)} ${(statSync(p).mode & 0o777).toString(8)}`)).toEqual([]);
  });
});

/** Where a value of `values`, a private JWK or a PEM private key appears in the searchable texts. */
function findSecrets(haystacks: [string, string][], values: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of haystacks) {
    for (const [what, value] of Object.entries(values)) if (text.includes(value)) found.push(`${what} in ${where}`);
    // A private JWK in the clear, of any key.
    if (/"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/.test(text)) found.push(`a private JWK in ${where}`);
    if (/-----BEGIN (EC |RSA )?PRIVATE KEY-----/.test(text)) found.push(`a PEM private key in ${where}`);
  }
  return found;
}

describe('secrets', () => {
  it('no PII value, passphrase, private key, access token or pre-authorized code in the logs or the database files', async () => {
    await net.stop();
    const address = DEMO_IDENTITY.address as Record<string, string>;
    const pii = {
      given_name: DEMO_IDENTITY.given_name,
      given_name_kana: DEMO_IDENTITY.given_name_kana as string,
      birthdate: DEMO_IDENTITY.birthdate,
      birthdate_compact: DEMO_IDENTITY.birthdate.replaceAll('-', ''),
      phone_number: DEMO_IDENTITY.phone_number as string,
      street_address: address.street_address as string,
    };
    const secretValues: Record<string, string> = {
      passphrase: PASSPHRASE,
      issuer_vault_secret: secrets.issuerSecret,
      verifier_vault_secret: secrets.verifierSecret,
      admin_token: secrets.adminToken,
      api_key: net.apiKey,
    };
    holders.slice(0, 50).forEach((p, i) => {
      secretValues[`access_token_${i}`] = p.token;
      secretValues[`holder_private_key_${i}`] = exportPrivateJwk(p.holder.privateKey).d as string;
    });
    // Control: the scanner does see personal values inside a credential's base64url disclosures.
    expect(searchable(Buffer.from(issued[0] as string))).toContain(pii.given_name);
    const files = filesUnder(join(dir, 'services')).concat(filesUnder(join(dir, 'wallet')));
    expect(files.some((f) => f.endsWith('issuer.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('wallet.db'))).toBe(true);
    const haystacks: [string, string][] = files.map((f) => [f.slice(dir.length), searchable(readFileSync(f))]);
    haystacks.push(['service logs', searchable(Buffer.from(logs.join('')))]);
    const values = { ...pii, ...secretValues };
    // Control: the scan fails when a secret is planted, in a database file's bytes and in a log line.
    const verifierDb = files.find((f) => f.endsWith('verifier.db'));
    expect(verifierDb).toBeDefined();
    const planted: [string, string][] = [
      ['planted db', searchable(Buffer.concat([readFileSync(verifierDb as string), Buffer.from(PASSPHRASE)]))],
      ['planted log', searchable(Buffer.from(`[issuer] request ${JSON.stringify({ kty: 'EC', d: secretValues.admin_token })}`))],
    ];
    expect(findSecrets(planted, values)).toEqual([
      'passphrase in planted db',
      'admin_token in planted log',
      'a private JWK in planted log',
    ]);
    const found = findSecrets(haystacks, values);
    expect(found).toEqual([]);
    expect(logs.join('').length).toBeGreaterThan(1000);
  }, 60_000);
});
