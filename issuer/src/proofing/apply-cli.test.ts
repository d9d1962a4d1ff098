import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../admin/tokens.js';
import { type RunningIssuer, startIssuer } from '../server.js';
import { SECRET, taro } from '../testing/harness.js';
import { CrlStore } from './jpki/crl-store.js';
import { createCrl, createTestCa, issueApplicantCertificate, type TestCa } from './jpki/test-ca.js';

// The real `shomei` wallet binary against a real issuer over HTTP: `shomei apply jpki` and `shomei apply document`.
const SHOMEI = fileURLToPath(new URL('../../../holder-cli/bin/shomei.js', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../../../holder-cli/dist/cli.js', import.meta.url)));

let dir: string;
let issuer: RunningIssuer;
let ca: TestCa;
let crlPem = '';

async function shomei(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runNode(SHOMEI, args, {
    env: { SHOMEI_HOME: join(dir, 'wallet'), SHOMEI_PASSPHRASE: 'a long wallet passphrase', NO_COLOR: '1' },
  });
  return { ...r, code: r.code ?? -1 };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-apply-'));
  ({ ca } = await createTestCa());
  crlPem = (await createCrl(ca, [])).toString('pem');
  issuer = await startIssuer({
    port: 0,
    dataDir: join(dir, 'issuer'),
    secret: SECRET,
    log: () => {},
    proofing: { jpki: { anchors: [ca.cert], crls: new CrlStore({ locations: ['mem'], refreshSeconds: 1, load: async () => crlPem }) } },
  });
}, 60_000);
afterAll(async () => {
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!BUILT)('shomei apply (real wallet binary, real issuer)', () => {
  it('jpki: challenge, signature, approval at IAL3, then the credential in the wallet; a revoked certificate is refused', async () => {
    const cert = await issueApplicantCertificate(ca, {
      name: '佐藤 花子',
      gender: '2',
      birthdate: '20000101',
      address: '大阪府大阪市北区梅田1-1',
    });
    writeFileSync(join(dir, 'hanako.pem'), cert.certPem);
    writeFileSync(join(dir, 'hanako-key.pem'), cert.keyPem);
    expect((await shomei(['init'])).code).toBe(0);
    const args = ['apply', 'jpki', '--issuer', issuer.url, '--cert', join(dir, 'hanako.pem'), '--key', join(dir, 'hanako-key.pem')];
    const kana = ['--kana-family', 'サトウ', '--kana-given', 'ハナコ', '--postal-code', '530-0001'];
    const ok = await shomei([...args, ...kana, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ assurance_level: 'IAL3', copies: 10 });
    const list = JSON.parse((await shomei(['list', '--offline', '--json'])).stdout) as unknown;
    expect(JSON.stringify(list)).toContain('IAL3');

    crlPem = (await createCrl(ca, [{ serial: cert.serial, date: new Date().toISOString() }])).toString('pem');
    await new Promise((r) => setTimeout(r, 1100)); // past the CRL cache's refresh time
    const refused = await shomei([...args, ...kana]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('certificate_revoked');
  });

  it('document: the application goes to review; after approval `apply status --receive` brings the credential', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 3)]);
    writeFileSync(join(dir, 'id.png'), png);
    writeFileSync(join(dir, 'selfie.png'), png);
    writeFileSync(join(dir, 'me.json'), JSON.stringify(taro));
    const sent = await shomei([
      'apply',
      'document',
      '--issuer',
      issuer.url,
      '--identity',
      join(dir, 'me.json'),
      '--id-document',
      join(dir, 'id.png'),
      '--selfie',
      join(dir, 'selfie.png'),
      '--json',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const app = JSON.parse(sent.stdout) as { id: string; secret: string; state: string };
    expect(app.state).toBe('pending_review');
    const pending = await shomei(['apply', 'status', app.id, '--issuer', issuer.url, '--secret', app.secret, '--json']);
    expect(JSON.parse(pending.stdout)).toMatchObject({ state: 'pending_review' });

    const reviewer = (await createAdminToken(issuer.deps.sql, new Date(), 'alice', ['review'])).token;
    const decided = await fetch(`${issuer.url}/v1/admin/applications/${app.id}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reviewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided.status).toBe(200);
    const got = await shomei(['apply', 'status', app.id, '--issuer', issuer.url, '--secret', app.secret, '--receive', '--json']);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ assurance_level: 'IAL2', sandbox: false });
  });
});
