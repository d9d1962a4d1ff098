import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifySdJwtVc } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { startFakeIssuer } from '../testing/fake-issuer.js';
import { startFakeVerifier } from '../testing/fake-verifier.js';
import { captureContext, PERSON, TEST_PASSPHRASE } from '../testing/fixtures.js';

/**
 * The real `shomei` binary on a real pseudo-terminal (tmux): the passphrase typed at a hidden
 * prompt, an optional claim deselected, consent given by keystrokes.
 */
const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/shomei.js');
const SOCKET = `shomei-test-${process.pid}`;
const SESSION = 'consent';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** The pane's text (with colour escapes when `escapes`). */
function screen(escapes = false): string {
  return tmux('capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-t', SESSION, '-S', '-200');
}

async function waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; the screen was:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function type(text: string): void {
  if (text.length > 0) tmux('send-keys', '-t', SESSION, '-l', text);
  tmux('send-keys', '-t', SESSION, 'Enter');
}

let issuer: Awaited<ReturnType<typeof startFakeIssuer>>;
let verifier: Awaited<ReturnType<typeof startFakeVerifier>>;
let home: string;

beforeAll(async () => {
  // The binary runs on the real clock, so the stand-ins do too.
  const now = () => new Date();
  [issuer, verifier] = await Promise.all([startFakeIssuer({ batchSize: 10, now }), startFakeVerifier({ now })]);
  home = join(mkdtempSync(join(tmpdir(), 'shomei-pty-')), 'wallet');
  const env = { SHOMEI_HOME: home, SHOMEI_PASSPHRASE: TEST_PASSPHRASE };
  expect(await runCli(['init'], captureContext(env, { now }))).toBe(0);
  const offer = issuer.offer();
  expect(await runCli(['receive', offer.uri, '--tx-code', offer.txCode, '--copies', '2'], captureContext(env, { now }))).toBe(0);
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await Promise.all([issuer.close(), verifier.close()]);
});

describe('interactive consent on a pseudo-terminal (tmux)', () => {
  it('deselecting an optional claim removes it from what the verifier receives', async () => {
    const published = verifier.publish({
      claims: [['family_name'], { path: ['address', 'locality'], optional: true }, { path: ['birthdate'], optional: true }],
    });
    const command = `${process.execPath} ${BIN} present '${published.uri}'; echo "exit=$?"; sleep 60`;
    const env = { ...process.env, SHOMEI_PASSPHRASE: undefined, TERM: 'xterm-256color', NO_COLOR: undefined };
    execFileSync(
      'tmux',
      ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', SESSION, '-x', '160', '-y', '60', '-e', `SHOMEI_HOME=${home}`, command],
      { env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv },
    );

    await waitFor('Wallet passphrase: ');
    type(TEST_PASSPHRASE);
    // Optional claims are asked for by their Japanese and English names, and Enter leaves one out.
    await waitFor(`Include 市区町村 / City (${PERSON.address.locality})? [y/N]`);
    expect(screen()).not.toContain(TEST_PASSPHRASE); // the passphrase was not echoed
    type('');
    await waitFor(`Include 生年月日 / Date of birth (${PERSON.birthdate})? [y/N]`);
    type('y');
    const consent = await waitFor('Share these 2 claims with Demo Shop? [y/N]');
    expect(consent).toContain('Left out: 市区町村 / City');
    expect(consent).toMatch(/姓 \/ Family name +山田/);
    expect(consent).toMatch(/生年月日 \/ Date of birth \(任意 \/ optional\) +1991-08-14/);
    // The name is the verifier's own claim; what was verified is said beside the identifier.
    expect(consent).toMatch(/Demo Shop +\(名前は相手の自己申告・未確認 \/ name chosen by the verifier itself, not verified\)/);
    // On a terminal the screen is coloured.
    expect(screen(true)).toContain('\u001b[32midentified by DID did:web:');
    type('y');
    const done = await waitFor(/exit=\d+/);
    expect(done).toContain('Verifier answered: accepted');
    expect(done).toContain('exit=0');

    const form = verifier.received.find((r) => r.id === published.id)?.form;
    const vp = JSON.parse(form?.get('vp_token') ?? '{}') as Record<string, string[]>;
    // The binary ran on the real clock: its key binding is checked against it.
    const { claims } = await verifySdJwtVc(vp.identity?.[0] as string, {
      now: new Date(),
      resolveIssuerKey: () => issuer.issuer().key.publicKey,
      expectedNonce: published.nonce,
      expectedAud: verifier.clientId,
    });
    expect(claims.family_name).toBe(PERSON.family_name);
    expect(claims.birthdate).toBe(PERSON.birthdate);
    expect(claims).not.toHaveProperty('address');
  });
});
