import { isShomeiError, ShomeiError } from '@shomei/shared';
import type { Context } from 'hono';

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * The text fields of a front-desk form. A body that is not a form answers 415, one that cannot be
 * parsed (a broken multipart boundary, a truncated part) 400 `malformed` (issue 14, item 13): never a
 * 500 with a stack in the log. Files and repeated names are not fields the desk reads: a repeated
 * name keeps its last value, a file is dropped.
 */
export async function readFormFields(c: Context): Promise<Record<string, string>> {
  if (!FORM_TYPES.test(c.req.header('content-type') ?? '')) {
    throw new ShomeiError('unsupported_media_type', 'the body must be a form (application/x-www-form-urlencoded or multipart/form-data)');
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = await c.req.parseBody();
  } catch (e) {
    // The body limit reports itself while the body is read; keep its own code.
    if (isShomeiError(e)) throw e;
    throw new ShomeiError('malformed', 'the form body could not be read');
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') fields[name] = value;
  return fields;
}
