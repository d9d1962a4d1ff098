import { isShomeiError } from '@shomei/shared';

/**
 * The `code` of the ShomeiError that `fn` throws, or 'no error' when it returns. Lets a test assert the stable
 * error code of a synchronous call in one line (the trust-store and status-list tests both need it); an error
 * that is not a ShomeiError is rethrown so that it fails the test.
 */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isShomeiError(e)) return e.code;
    throw e;
  }
  return 'no error';
}
