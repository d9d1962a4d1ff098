import type { z } from 'zod';
import { type ErrorCode, ShomeiError } from './errors.js';

/**
 * Parses untrusted input with a zod schema and turns a failure into a typed ShomeiError whose
 * message names the offending path (never the offending value, which may be personal data).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string, code: ErrorCode = 'invalid_request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new ShomeiError(code, `${what} is invalid: ${issues}`);
}
