import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIssuerService } from '../http/app.js';
import { createHarness, type Harness, START } from '../testing/harness.js';
import { type JpkiWorld, jpkiWorld } from '../testing/jpki-fixtures.js';

let world: JpkiWorld;
let h: Harness | undefined;
beforeAll(async () => {
  world = await jpkiWorld(START);
}, 60_000);
afterEach(() => {
  h?.close();
  h = undefined;
});

describe("the issuer's jobs", () => {
  it('are the batch-file sweep, and the CRL re-check only when JPKI is configured, at its interval', async () => {
    h = await createHarness();
    expect(createIssuerService(h.deps).jobs.map((j) => j.name)).toEqual(['batch-file-sweep']);
    h.close();
    h = await createHarness({ proofing: { jpki: world.trust }, settings: { crlRecheckSeconds: 600 } });
    const jobs = createIssuerService(h.deps).jobs;
    expect(jobs.map((j) => [j.name, j.everyMs])).toEqual([
      ['batch-file-sweep', 3600_000],
      ['crl-recheck', 600_000],
    ]);
    const logged: string[] = [];
    const crl = jobs.find((j) => j.name === 'crl-recheck');
    const log = h.deps.log;
    h.deps.log = (m: string) => {
      logged.push(m);
      log(m);
    };
    await crl?.run();
    expect(logged).toEqual(['crl re-check: 0 certificate(s), 0 credential(s) revoked, 0 unavailable']);
  });
});
