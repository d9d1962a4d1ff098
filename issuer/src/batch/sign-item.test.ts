import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSdJwt, generateEs256KeyPair, publicKeyFromJwk, verifySdJwtVc } from '@shomei/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { batchRow } from '../testing/batch-fixtures.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { runBatch } from './engine.js';

let h: Harness | undefined;
afterEach(() => h?.close());

describe('batch signer: the disclosure digest follows settings.sdAlg', () => {
  it('direct mode with sdAlg sha3-512 writes credentials whose _sd_alg and digests are sha3-512, and they verify', async () => {
    h = await createHarness({ settings: { sdAlg: 'sha3-512' } });
    const file = join(h.dir, 'wallets.jsonl');
    writeFileSync(file, `${JSON.stringify(batchRow(0, generateEs256KeyPair().publicJwk))}\n`);
    const summary = await runBatch(h.deps, { file, mode: 'direct', workers: 0 });
    expect(summary.issued).toBe(1);
    const { credential } = JSON.parse(readFileSync(summary.output, 'utf8').trim()) as { credential: string };
    const decoded = decodeSdJwt(credential);
    expect(decoded.issuerJws.payload._sd_alg).toBe('sha3-512');
    expect(decoded.disclosures[0]?.digest).toHaveLength(86);
    const key = publicKeyFromJwk(h.deps.keys.current.publicJwk);
    const verified = await verifySdJwtVc(credential, { now: h.now(), resolveIssuerKey: () => key });
    expect(verified.claims.family_name).toBeDefined();
  });
});
