import { createInterface } from 'node:readline/promises';
import { CancelledError } from '../errors.js';
import type { Prompter } from './io.js';

interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Prompts on a terminal: questions go to `output` (stderr) so that stdout stays clean for --json. */
export function terminalPrompter(input: TtyInput, output: NodeJS.WritableStream): Prompter | undefined {
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') return undefined;
  return {
    hidden: (question) => readHidden(input, output, question),
    async line(question) {
      const rl = createInterface({ input, output, terminal: true });
      const controller = new AbortController();
      rl.once('SIGINT', () => controller.abort());
      try {
        return await rl.question(question, { signal: controller.signal });
      } catch (e) {
        if (controller.signal.aborted) {
          output.write('\n');
          throw new CancelledError();
        }
        throw e;
      } finally {
        rl.close();
      }
    },
  };
}

/**
 * Reads a line in raw mode and echoes nothing, not even asterisks (their count would tell an
 * onlooker the passphrase's length). Backspace and Ctrl-U edit; Ctrl-C cancels.
 */
function readHidden(input: TtyInput, output: NodeJS.WritableStream, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    const wasRaw = input.isRaw === true;
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.resume();
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new CancelledError());
        if (ch === '\u0004') return value === '' ? finish(new CancelledError()) : finish();
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
