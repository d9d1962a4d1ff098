/** Where a command writes; `isTTY` decides colour. Tests pass in-memory sinks. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Questions asked on the terminal. Absent when there is no terminal to ask on. */
export interface Prompter {
  /** Reads a line without echoing it (passphrases). */
  hidden(question: string): Promise<string>;
  /** Reads a line with echo. */
  line(question: string): Promise<string>;
}

export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  stdout: OutputStream;
  stderr: OutputStream;
  prompter?: Prompter | undefined;
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
}

const plain: Style = { bold: (s) => s, dim: (s) => s, green: (s) => s, red: (s) => s, yellow: (s) => s };

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const coloured: Style = { bold: ansi(1, 22), dim: ansi(2, 22), green: ansi(32, 39), red: ansi(31, 39), yellow: ansi(33, 39) };

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function styleFor(stream: OutputStream, env: CliContext['env']): Style {
  return stream.isTTY === true && !env.NO_COLOR ? coloured : plain;
}
