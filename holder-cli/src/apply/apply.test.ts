import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { captureContext, startServer } from '../testing/fixtures.js';
import { pemCertificates, signChallenge } from './jpki-signer.js';

// A stand-in for the issuer's application endpoints (the real issuer is driven in issuer/src/proofing/apply-cli.test.ts).
let server: { origin: string; close: () => Promise<void> };
let dir: string;
const seen: { path: string; body: unknown; auth: string | undefined }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-apply-unit-'));
  const app = new Hono();
  app.post('/v1/applications', async (c) => {
    seen.push({ path: c.req.path, body: await c.req.json(), auth: c.req.header('authorization') });
    return c.json(
      {
        id: 'app-1',
        secret: 'sec-1',
        method: 'jpki',
        state: 'awaiting_signature',
        assurance_level: null,
        reason: null,
        created_at: '2026-11-21T03:00:00.000Z',
        decided_at: null,
        challenge: 'chal-1',
        challenge_expires_at: '2026-11-21T03:05:00.000Z',
        offers_left: 0,
      },
      201,
    );
  });
  app.post('/v1/applications/:id/jpki', async (c) => {
    seen.push({ path: c.req.path, body: await c.req.json(), auth: c.req.header('authorization') });
    return c.json(
      {
        type: 'urn:shomei:error:certificate_revoked',
        status: 400,
        code: 'certificate_revoked',
        detail: 'the certificate has been revoked',
      },
      400,
    );
  });
  // A hostile or broken issuer: an unknown state, terminal escapes in free text and in a refusal.
  app.get('/v1/applications/app-odd', (c) => c.json({ id: 'app-odd', method: 'document', state: '\u001b[2Jowned', offers_left: 0 }));
  app.get('/v1/applications/app-escape', (c) =>
    c.json({
      id: 'app-escape',
      method: 'document',
      state: 'rejected',
      assurance_level: null,
      reason: 'blurred\u001b[2J photo\u202e',
      created_at: '2026-11-21T03:00:00.000Z',
      decided_at: '2026-11-21T04:00:00.000Z',
      offers_left: 0,
    }),
  );
  app.get('/v1/applications/app-refused', (c) => c.json({ code: 'nope\u001b[31m', detail: 'go away\u0007' }, 403));
  app.get('/v1/applications/:id', (c) =>
    c.json({
      id: c.req.param('id'),
      method: 'document',
      state: 'rejected',
      assurance_level: null,
      reason: 'blurred photo',
      created_at: '2026-11-21T03:00:00.000Z',
      decided_at: '2026-11-21T04:00:00.000Z',
      offers_left: 0,
    }),
  );
  server = await startServer(app);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shomei apply', () => {
  it('jpki: signs the challenge with the key, sends chain, challenge and kana, and reports the refusal code', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(join(dir, 'key.pem'), keyPem);
    writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const ctx = captureContext({ SHOMEI_HOME: join(dir, 'w'), SHOMEI_PASSPHRASE: 'x' });
    const args = ['apply', 'jpki', '--issuer', server.origin, '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')];
    const code = await runCli([...args, '--kana-family', 'ヤマダ', '--kana-given', 'タロウ', '--postal-code', '100-0001'], ctx);
    expect(code).toBe(1);
    expect(ctx.err()).toContain('certificate_revoked');
    const submit = seen.find((s) => s.path === '/v1/applications/app-1/jpki');
    expect(submit?.auth).toBe('Bearer sec-1');
    const body = submit?.body as { certificate_chain: string[]; challenge: string; signature: string; supplement: Record<string, string> };
    expect(body.challenge).toBe('chal-1');
    expect(body.certificate_chain).toHaveLength(1);
    expect(body.supplement).toEqual({ family_name_kana: 'ヤマダ', given_name_kana: 'タロウ', postal_code: '100-0001' });
    expect(verify('sha256', Buffer.from('chal-1'), publicKey, Buffer.from(body.signature, 'base64url'))).toBe(true);
  });

  it('status: needs the application secret (exit 2), shows a rejection with its reason (exit 1)', async () => {
    const none = captureContext({});
    expect(await runCli(['apply', 'status', 'app-9', '--issuer', server.origin], none)).toBe(2);
    expect(none.err()).toContain('SHOMEI_APPLICATION_SECRET');
    const ctx = captureContext({ SHOMEI_APPLICATION_SECRET: 's' });
    expect(await runCli(['apply', 'status', 'app-9', '--issuer', server.origin, '--json'], ctx)).toBe(1);
    expect(JSON.parse(ctx.out())).toMatchObject({ state: 'rejected', reason: 'blurred photo' });
  });

  it("status: an issuer's answer is checked before use, and its text reaches the terminal without control characters", async () => {
    const env = { SHOMEI_APPLICATION_SECRET: 's' };
    const odd = captureContext(env);
    expect(await runCli(['apply', 'status', 'app-odd', '--issuer', server.origin], odd)).not.toBe(0);
    expect(odd.err()).toContain("the issuer's answer is invalid");
    expect(odd.out() + odd.err()).not.toContain('\u001b[2J');

    const escaped = captureContext(env);
    expect(await runCli(['apply', 'status', 'app-escape', '--issuer', server.origin], escaped)).toBe(1);
    expect(escaped.out()).toContain('blurred');
    for (const unsafe of ['\u001b', '\u202e']) expect(escaped.out()).not.toContain(unsafe);

    const refused = captureContext(env);
    expect(await runCli(['apply', 'status', 'app-refused', '--issuer', server.origin], refused)).not.toBe(0);
    expect(refused.err()).toContain('go away');
    for (const unsafe of ['\u001b', '\u0007']) expect(refused.err()).not.toContain(unsafe);
  });

  it('helpers: PEM chains keep their order; an unreadable key is a usage error', () => {
    const a = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const b = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----';
    expect(pemCertificates(`${a}\n${b}\n`)).toEqual([a, b]);
    expect(() => pemCertificates('nothing')).toThrow(/no PEM certificate/);
    expect(() => signChallenge('not a key', 'c')).toThrow(/not a PEM private key/);
  });

  it('every apply command has --help with examples', async () => {
    for (const sub of ['jpki', 'document', 'reliance', 'status']) {
      const ctx = captureContext({});
      expect(await runCli(['apply', sub, '--help'], ctx)).toBe(0);
      expect(ctx.out()).toContain('Examples:');
    }
  });
});
