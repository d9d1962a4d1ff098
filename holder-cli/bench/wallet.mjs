#!/usr/bin/env node
// `pnpm --filter @shomei/holder-cli bench`: what the wallet's safety and privacy cost, on the
// built dist/, in one bounded run on temporary files (no network).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEs256KeyPair, IDENTITY_VCT, identityClaims, issueSdJwtVc, presentSdJwtVc } from '@shomei/shared';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';
import { changePassphrase, exportBackup, importBackup, initWallet, openBackup, openWallet } from '../dist/index.js';

const PERSON = SAMPLE_IDENTITY;
const PASS = 'bench passphrase';
const COPIES = 10;
const BATCHES = 10;
const dir = mkdtempSync(join(tmpdir(), 'shomei-bench-'));
const issuerKey = { ...generateEs256KeyPair(), kid: 'k1' };

async function time(label, runs, fn) {
  await fn(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn(i);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  console.log(`${label.padEnd(58)} ${ms.toFixed(2).padStart(9)} ms`);
  return ms;
}

try {
  const home = join(dir, 'wallet');
  const wallet = initWallet(home, PASS);
  // BATCHES credentials of COPIES copies each, every copy bound to its own vault key.
  const now = new Date();
  let oneCompact = '';
  let oneKid = '';
  const tIssue = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) {
    let batchId;
    for (let c = 0; c < COPIES; c++) {
      const key = await wallet.vault.createEs256Key('holder-binding');
      const compact = await issueSdJwtVc(
        { kid: issuerKey.kid, privateKey: issuerKey.privateKey, publicJwk: issuerKey.publicJwk },
        {
          issuer: 'https://issuer.example',
          vct: IDENTITY_VCT,
          claims: identityClaims(PERSON, now),
          holderJwk: key.publicJwk,
          status: { idx: b * COPIES + c, uri: 'https://issuer.example/status-lists/1' },
          visible: { verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2' } },
          issuedAt: now,
          expiresAt: new Date(now.getTime() + 365 * 86_400_000),
          containersNotDisclosable: ['age_equal_or_over'],
        },
      );
      const id = wallet.credentials.insert(
        {
          format: 'dc+sd-jwt',
          issuer: 'https://issuer.example',
          issuerName: 'Bench KYC',
          vct: IDENTITY_VCT,
          assuranceLevel: 'IAL2',
          sandbox: false,
          holderKid: key.kid,
          issuedAt: now.toISOString(),
          expiresAt: null,
          receivedAt: now.toISOString(),
          batchId,
        },
        compact,
      );
      batchId ??= id;
      oneCompact = compact;
      oneKid = key.kid;
    }
  }
  const setupMs = Number(process.hrtime.bigint() - tIssue) / 1e6;
  console.log(`wallet with ${BATCHES} credentials x ${COPIES} copies (${BATCHES * COPIES} keys), made in ${setupMs.toFixed(0)} ms`);
  wallet.close();

  const open = await time('open wallet (scrypt N=2^15 r=8 + check value)', 5, () => openWallet(home, PASS).close());
  const w = openWallet(home, PASS);
  const holder = await w.vault.signingKey(oneKid);
  const present = await time('present 1 claim with key binding (sign inside the wallet)', 50, () =>
    presentSdJwtVc(oneCompact, [['age_equal_or_over', '20']], {
      holderKey: holder.privateKey,
      nonce: 'n'.repeat(22),
      aud: 'x',
      iat: new Date(),
    }),
  );
  const batches = await time(`group ${BATCHES * COPIES} copies into batches (list)`, 20, () => w.credentials.batches());
  let backup = '';
  const exp = await time(`export (${BATCHES * COPIES} keys + credentials, scrypt + AES-GCM)`, 3, () => {
    backup = exportBackup(w, 'backup pass', new Date());
  });
  w.close();
  let n = 0;
  const imp = await time('import into a fresh wallet (incl. creating it)', 3, () => {
    const fresh = initWallet(join(dir, `restore-${n++}`), PASS);
    importBackup(fresh, openBackup(backup, 'backup pass'));
    fresh.close();
  });
  let pass = PASS;
  let k = 0;
  const rekey = await time(`passphrase change (${BATCHES * COPIES * 2} sealed values, VACUUM)`, 3, () => {
    const rw = openWallet(home, pass);
    pass = `new passphrase ${k++}`;
    changePassphrase(rw, pass);
    rw.close();
  });
  console.log('\nratios (same run):');
  console.log(`  present / open wallet           ${(present / open).toFixed(3)}  (the KDF dominates every command)`);
  console.log(`  passphrase change / open wallet ${(rekey / open).toFixed(1)}`);
  console.log(`  export / open wallet            ${(exp / open).toFixed(1)}`);
  console.log(`  import / export                 ${(imp / exp).toFixed(1)}`);
  console.log(`  list grouping / open wallet     ${(batches / open).toFixed(3)}`);
  console.log(`  backup size                     ${(backup.length / 1024).toFixed(0)} KiB for ${BATCHES * COPIES} copies`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
