import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.js';
import { terminalPrompter } from './prompt.js';

function fakeTerminal() {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      input.isRaw = mode;
      return input;
    },
  });
  const output = new PassThrough();
  let written = '';
  output.on('data', (c: Buffer) => {
    written += c.toString();
  });
  const prompter = terminalPrompter(input, output);
  if (!prompter) throw new Error('expected a prompter on a terminal');
  return { input, prompter, written: () => written };
}

describe('terminal prompts', () => {
  it('reads a passphrase without echoing it, with backspace, and restores the terminal', async () => {
    const t = fakeTerminal();
    const answer = t.prompter.hidden('Wallet passphrase: ');
    t.input.write('ひみつのx\u007f合言葉\r');
    await expect(answer).resolves.toBe('ひみつの合言葉');
    expect(t.written()).toBe('Wallet passphrase: \n');
    expect(t.input.isRaw).toBe(false);
  });

  it('Ctrl-C at a hidden prompt cancels', async () => {
    const t = fakeTerminal();
    const answer = t.prompter.hidden('Wallet passphrase: ');
    t.input.write('abc\u0003');
    await expect(answer).rejects.toBeInstanceOf(CancelledError);
  });

  it('reads an answer line', async () => {
    const t = fakeTerminal();
    const answer = t.prompter.line('Share this 1 claim with Demo Shop? [y/N] ');
    t.input.write('y\r');
    await expect(answer).resolves.toBe('y');
    expect(t.written()).toContain('Share this 1 claim with Demo Shop? [y/N] ');
  });

  it('there is no prompter without a terminal', () => {
    expect(terminalPrompter(new PassThrough(), new PassThrough())).toBeUndefined();
  });
});
