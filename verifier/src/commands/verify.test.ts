import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from '@shomei/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuerStandIn, present, startIssuerStandIn } from '../testing/issuer-stand-in.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'shomei-verifier.js');
const now = () => new Date();
let issuer: IssuerStandIn;
let dir: string;

beforeAll(async () => {
  issuer = await startIssuerStandIn(now);
  dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  writeFileSync(join(dir, 'issuer.jwk.json'), JSON.stringify({ ...issuer.key.publicJwk, kid: issuer.kid }));
  writeFileSync(join(dir, 'trust.json'), JSON.stringify({ issuers: [{ iss: issuer.iss }] }));
});
afterAll(() => issuer.close());

/** Async: the issuer stand-in answers in this process, so the event loop must keep running. */
async function run(args: string[], input?: string) {
  const { code: status, stdout, stderr } = await runNode(BIN, ['verify', ...args], { input: input ?? '' });
  const r = { status, stdout, stderr };
  let json: Record<string, unknown> & { errors?: { code: string }[] } = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // usage errors print no JSON
  }
  return { code: r.status, json, stderr: r.stderr };
}

describe('shomei-verifier verify', () => {
  it('exit 0 and the result as JSON for a valid presentation (file, --issuer-key, --nonce, --aud)', async () => {
    const vp = await present(await issuer.issue(), [['birthdate']], { nonce: 'n-cli-1', aud: 'did:web:shop.example', iat: new Date() });
    writeFileSync(join(dir, 'vp.txt'), vp);
    const r = await run([
      join(dir, 'vp.txt'),
      '--issuer-key',
      join(dir, 'issuer.jwk.json'),
      '--nonce',
      'n-cli-1',
      '--aud',
      'did:web:shop.example',
    ]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      valid: true,
      errors: [],
      issuer: issuer.iss,
      assurance_level: 'IAL2',
      disclosed: { birthdate: '1991-08-14' },
      status: 'valid',
      key_binding: 'verified',
    });
    expect(Object.keys(r.json)).toEqual(
      expect.arrayContaining(['valid', 'errors', 'issuer', 'vct', 'assurance_level', 'disclosed', 'status', 'checked_at']),
    );
  });

  it('exit 1 for an invalid one (wrong nonce), reading stdin, with --trust (keys discovered over HTTP)', async () => {
    const vp = await present(await issuer.issue(), [['birthdate']], { nonce: 'n-cli-2', aud: 'a', iat: new Date() });
    const r = await run(['--trust', join(dir, 'trust.json'), '--nonce', 'other', '--aud', 'a'], vp);
    expect(r.code).toBe(1);
    expect(r.json.errors?.map((e) => e.code)).toEqual(['kb_nonce_mismatch']);
    const ok = await run(['-', '--trust', join(dir, 'trust.json'), '--nonce', 'n-cli-2', '--aud', 'a', '--preset', 'age_over_20'], vp);
    expect(ok.code).toBe(1);
    expect(ok.json.errors?.map((e) => e.code)).toEqual(['claim_missing']);
  });

  it('--at verifies as of another time (an expired credential was valid then)', async () => {
    const issuedAt = new Date(Date.now() - 3 * 86_400_000);
    const vp = await present(await issuer.issue({ issuedAt, expiresAt: new Date(Date.now() - 86_400_000) }), [['birthdate']], {
      nonce: 'n',
      aud: 'a',
      iat: new Date(Date.now() - 2 * 86_400_000),
    });
    writeFileSync(join(dir, 'old.txt'), vp);
    expect((await run([join(dir, 'old.txt'), '--issuer-key', join(dir, 'issuer.jwk.json')])).json.errors?.map((e) => e.code)).toEqual([
      'expired',
    ]);
    const then = new Date(Date.now() - 2 * 86_400_000 + 60_000).toISOString();
    const r = await run([join(dir, 'old.txt'), '--issuer-key', join(dir, 'issuer.jwk.json'), '--nonce', 'n', '--aud', 'a', '--at', then]);
    expect(r.code).toBe(0);
    expect(r.json.checked_at).toBe(then);
  });

  it('--match prints only true/false', async () => {
    const vp = await present(await issuer.issue(), [['family_name'], ['given_name']], { nonce: 'n', aud: 'a', iat: new Date() });
    writeFileSync(join(dir, 'm.txt'), vp);
    writeFileSync(join(dir, 'record.json'), JSON.stringify({ name: '山田　太郎' }));
    const r = await run([join(dir, 'm.txt'), '--issuer-key', join(dir, 'issuer.jwk.json'), '--match', join(dir, 'record.json')]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ matches: { name: true }, disclosed: {}, key_binding: 'verified' });
  });

  it('a credential bound to a holder key without key binding: exit 1 kb_missing, unless --key-binding optional', async () => {
    const vp = await present(await issuer.issue(), [['birthdate']], { nonce: 'n', aud: 'a', iat: new Date() });
    writeFileSync(join(dir, 'no-kb.txt'), `${vp.slice(0, vp.lastIndexOf('~'))}~`);
    const args = [join(dir, 'no-kb.txt'), '--issuer-key', join(dir, 'issuer.jwk.json')];
    const refused = await run(args);
    expect(refused.code).toBe(1);
    expect(refused.json.errors?.map((e) => e.code)).toEqual(['kb_missing']);
    const optional = await run([...args, '--key-binding', 'optional']);
    expect(optional.code).toBe(0);
    expect(optional.json).toMatchObject({ valid: true, key_binding: 'absent', warnings: [{ code: 'key_binding_absent' }] });
    expect((await run([...args, '--key-binding', 'maybe'])).code).toBe(2);
  });

  it('exit 2 for usage errors', async () => {
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run([join(dir, 'missing.txt')])).code).toBe(2);
    expect((await run([join(dir, 'vp.txt'), '--at', 'yesterday'])).code).toBe(2);
    expect((await run([join(dir, 'vp.txt'), '--issuer-key', join(dir, 'missing.json')])).code).toBe(2);
    expect((await run([join(dir, 'vp.txt'), '--profile', 'jwt'])).code).toBe(2);
    const help = spawnSync(process.execPath, [BIN, 'verify', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });
});
