// The three command lines answer a mistyped command as a newcomer needs: one line saying what was
// wrong and where the help is, exit 2 (a usage error), not the whole help; `--version` prints the
// version and exits 0.
import { runNode } from '@shomei/shared/testing';
import { describe, expect, it } from 'vitest';
import { BIN } from '../scripts/lib/harness.mjs';

const CLIS = [
  { name: 'shomei-issuer', bin: BIN.issuer },
  { name: 'shomei-verifier', bin: BIN.verifier },
  { name: 'shomei', bin: BIN.wallet },
];

describe.each(CLIS)('$name on the command line', ({ name, bin }) => {
  it('answers an unknown command with the mistake and a pointer to --help, exit 2', async () => {
    const run = await runNode(bin, ['srve']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'srve'");
    expect(run.stderr).toContain(`(run ${name} --help for usage)`);
    expect(run.stderr).not.toContain('Usage:');
    expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  it('prints its version', async () => {
    const run = await runNode(bin, ['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
