/**
 * The stable code of a ShomeiError, or undefined for any other throw. Matched by name rather than by
 * `instanceof`: this module is read from source while the code under test may throw the built
 * `@shomei/shared` copy of the class, and the two are different classes at run time.
 */
function shomeiCode(e: unknown): string | undefined {
  if (!(e instanceof Error) || e.name !== 'ShomeiError') return undefined;
  const { code } = e as Error & { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/**
 * The `code` of the ShomeiError that `fn` throws, or 'no error' when it returns. Lets a test assert the
 * stable error code of a call in one line; an error that is not a ShomeiError is rethrown so that it
 * fails the test.
 */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const code = shomeiCode(e);
    if (code !== undefined) return code;
    throw e;
  }
  return 'no error';
}

/** `codeOf` for a promise: the code it rejects with, or 'no error'. */
export async function asyncCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    const code = shomeiCode(e);
    if (code !== undefined) return code;
    throw e;
  }
  return 'no error';
}
