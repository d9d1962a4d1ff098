import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicKeyFromJwk, StatusList } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { verifyPresentation } from '../verify/verify-presentation.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', 'bin', 'shomei-verifier.js');

interface SpecExample {
  presentation: string;
  issuer_public_jwk: Record<string, unknown>;
  iss: string;
  vct: string;
  nonce: string;
  aud: string;
  verify_at: string;
  disclosed: Record<string, unknown>;
}
const example = JSON.parse(readFileSync(join(HERE, '..', 'verify', 'fixtures', 'sd-jwt-vc-draft-example-01.json'), 'utf8')) as SpecExample;

const dir = mkdtempSync(join(tmpdir(), 'spec-example-'));
writeFileSync(join(dir, 'vp.txt'), example.presentation);
writeFileSync(join(dir, 'issuer.jwk.json'), JSON.stringify(example.issuer_public_jwk));

/** The example's key binding was made at verify_at: --at puts the check there (its kb iat is 5 minutes fresh only then). */
function cli(...extra: string[]) {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'verify',
      join(dir, 'vp.txt'),
      '--issuer-key',
      join(dir, 'issuer.jwk.json'),
      '--nonce',
      example.nonce,
      '--aud',
      example.aud,
      '--at',
      example.verify_at,
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  return { code: r.status, json: JSON.parse(r.stdout) as Record<string, unknown> & { errors: { code: string }[] } };
}

describe('draft-ietf-oauth-sd-jwt-vc §"Example" (vc-sd-jwt-example), Presentation: an SD-JWT VC without status', () => {
  it('shomei-verifier verify --status-optional accepts it: status "none", warning status_absent, the disclosed claims', () => {
    const r = cli('--status-optional');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      valid: true,
      errors: [],
      issuer: example.iss,
      vct: example.vct,
      status: 'none',
      key_binding: 'verified',
      disclosed: example.disclosed,
      warnings: [{ code: 'status_absent' }],
    });
  });

  it('without --status-optional the same presentation is refused with status_unavailable (status is required by default)', () => {
    const r = cli();
    expect(r.code).toBe(1);
    expect(r.json.errors.map((e) => e.code)).toEqual(['status_unavailable']);
    expect(r.json.status).toBe('unknown');
  });

  it('verifyPresentation with statusRequired false: the same answer, and a changed nonce still fails the key binding', async () => {
    const key = publicKeyFromJwk(example.issuer_public_jwk);
    const options = {
      now: new Date(example.verify_at),
      trust: { resolveKey: () => key },
      statusLists: { lookup: () => StatusList.empty(16, 1) },
      expectedNonce: example.nonce,
      expectedAud: example.aud,
      allowedVcts: [example.vct],
      statusRequired: false,
    };
    const r = await verifyPresentation(example.presentation, options);
    expect([r.valid, r.status, r.disclosed]).toEqual([true, 'none', example.disclosed]);
    const other = await verifyPresentation(example.presentation, { ...options, expectedNonce: '1234567891' });
    expect(other.errors.map((e) => e.code)).toEqual(['kb_nonce_mismatch']);
  });
});
