import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { captureContext } from './testing/fixtures.js';

const COMMANDS = [['init'], ['receive'], ['list'], ['show'], ['present'], ['history'], ['passphrase', 'change'], ['export'], ['import']];

describe('terminal manners', () => {
  it.each(COMMANDS)('`shomei %s --help` explains itself with an example', async (...command) => {
    const ctx = captureContext({});
    expect(await runCli([...command, '--help'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(/^Usage: shomei /);
    expect(ctx.out()).toMatch(/\nExamples:\n {2}\$ shomei /);
  });

  it('every command that prints data has --json', async () => {
    for (const command of [['receive'], ['list'], ['show'], ['present'], ['history'], ['export'], ['import']]) {
      const ctx = captureContext({});
      await runCli([...command, '--help'], ctx);
      expect(ctx.out(), command.join(' ')).toContain('--json');
    }
  });

  it('documents the exit codes, and a usage error exits 2', async () => {
    const help = captureContext({});
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.out()).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}failure.*\n {2}2 {2}usage error.*\n {2}3 {2}consent declined/);
    const bad = captureContext({});
    expect(await runCli(['receive', 'x', '--copies', 'many'], bad)).toBe(2);
    expect(bad.err()).toContain('a whole number from 1 to 100');
  });

  it('says what to do when a verifier cannot be reached', async () => {
    const env = { SHOMEI_PASSPHRASE: 'x', SHOMEI_HOME: join(mkdtempSync(join(tmpdir(), 'shomei-manners-')), 'w') };
    expect(await runCli(['init'], captureContext(env))).toBe(0);
    const ctx = captureContext(env);
    expect(await runCli(['present', 'https://127.0.0.1:1/requests/x', '--yes'], ctx)).toBe(1);
    expect(ctx.err()).toBe(
      'shomei: could not reach https://127.0.0.1:1\n  hint: check the address and your connection, or try again later\n',
    );
  });
});
