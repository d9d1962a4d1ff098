/**
 * Log lines carry what happened and to which request, never a token, key, presentation or
 * claim value. Services get a Logger passed in so tests can capture or silence it.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(`${new Date().toISOString()} info  ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString()} warn  ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} error ${m}`),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** For a stack trace in a log line: the frames only, without the message (which may echo input). */
export function stackFrames(err: unknown): string {
  if (!(err instanceof Error) || !err.stack) return '';
  return err.stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 8)
    .join('\n');
}
