import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOW } from '../testing/fixtures.js';
import { testIssued, testRoot } from '../testing/test-pki.js';
import { loadVerifierRoots, parseRootsPem, VERIFIER_ROOTS_FILE } from './trust-roots.js';

describe('verifier trust roots (--verifier-roots, SHOMEI_VERIFIER_ROOTS, <home>/verifier-roots.pem)', () => {
  it('reads every CA certificate of a PEM bundle; the option wins over the environment, which wins over the home file', async () => {
    const [a, b, c] = await Promise.all([testRoot('CN=A', NOW), testRoot('CN=B', NOW), testRoot('CN=C', NOW)]);
    const home = mkdtempSync(join(tmpdir(), 'shomei-roots-'));
    const bundle = join(home, 'bundle.pem');
    writeFileSync(bundle, `comment\n${a.pem}\n${b.pem}\n`);
    writeFileSync(join(home, 'env.pem'), c.pem);
    writeFileSync(join(home, VERIFIER_ROOTS_FILE), c.pem);
    const subjects = (roots: { subject: string }[]) => roots.map((r) => r.subject);
    expect(subjects(loadVerifierRoots(bundle, { SHOMEI_VERIFIER_ROOTS: join(home, 'env.pem') }, home))).toEqual(['CN=A', 'CN=B']);
    expect(subjects(loadVerifierRoots(undefined, { SHOMEI_VERIFIER_ROOTS: join(home, 'env.pem') }, home))).toEqual(['CN=C']);
    expect(subjects(loadVerifierRoots(undefined, {}, home))).toEqual(['CN=C']);
    expect(loadVerifierRoots(undefined, {}, mkdtempSync(join(tmpdir(), 'shomei-noroots-')))).toEqual([]);
  });

  it('refuses a named file that is missing, holds no certificate, or holds a certificate that is not a CA', async () => {
    const root = await testRoot('CN=Root', NOW);
    const leaf = await testIssued(root, 'CN=leaf.example', { dnsNames: ['leaf.example'], now: NOW });
    expect(() => loadVerifierRoots('/nonexistent/roots.pem', {}, '/tmp')).toThrow(/cannot read the verifier trust roots/);
    expect(() => parseRootsPem('just text')).toThrow(/holds no PEM certificate/);
    expect(() => parseRootsPem(`${root.pem}\n${leaf.pem}`)).toThrow(/CN=leaf.example is not a CA certificate/);
  });
});
