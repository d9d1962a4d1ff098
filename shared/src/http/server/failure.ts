import { HTTPException } from 'hono/http-exception';
import { isShomeiError, ShomeiError } from '../../errors.js';
import { type StorageFailure, storageFailure } from '../../store/storage-errors.js';

/** What the client hears when the database is busy, full or read-only: nothing was half-done. */
export const STORAGE_UNAVAILABLE_DETAIL = 'the service cannot store data right now; nothing was changed; try again later';

/**
 * What a thrown value means for the client. Each service's `onError` logs the kinds its own way
 * and answers with `error` (as a problem, or in the OAuth shape on OAuth endpoints).
 * - `known`: a ShomeiError (or a hono HTTPException, mapped to one): its message is safe to show.
 * - `storage`: the database refused (busy, full, read-only, …): 503 `storage_unavailable`.
 * - `unexpected`: anything else: a 500 `internal` that says nothing, since its message could quote
 *   request data.
 */
export type Failure =
  | { kind: 'known'; error: ShomeiError }
  | { kind: 'storage'; error: ShomeiError; storage: StorageFailure }
  | { kind: 'unexpected'; error: ShomeiError; cause: Error };

export function classifyFailure(err: Error): Failure {
  if (isShomeiError(err)) return { kind: 'known', error: err };
  if (err instanceof HTTPException) return { kind: 'known', error: fromHttpException(err) };
  const storage = storageFailure(err);
  if (storage) return { kind: 'storage', error: new ShomeiError('storage_unavailable', STORAGE_UNAVAILABLE_DETAIL), storage };
  return { kind: 'unexpected', error: new ShomeiError('internal', 'internal error'), cause: err };
}

/** hono's own middleware throws HTTPException; its message is not ours to show, its status is. */
function fromHttpException(e: HTTPException): ShomeiError {
  if (e.status === 413) return new ShomeiError('payload_too_large', 'the request body is too large');
  if (e.status === 401) return new ShomeiError('unauthorized', 'authentication is required');
  if (e.status >= 500) return new ShomeiError('internal', 'internal error');
  return new ShomeiError('invalid_request', 'the request could not be processed');
}
