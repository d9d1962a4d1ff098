import { ERROR_CODES, type ErrorCode, type FetchResult, oauthErrorSchema, ShomeiError, sanitize } from '@shomei/shared';

function codeFor(remote: unknown): ErrorCode {
  return typeof remote === 'string' && Object.hasOwn(ERROR_CODES, remote) ? (remote as ErrorCode) : 'upstream_unavailable';
}

function jsonBody(res: FetchResult): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}

/**
 * Turns an OAuth error answer (`{error, error_description}`) into a ShomeiError that keeps the
 * remote code and says what the server said, cleaned for the terminal. The description comes
 * from the issuer, which never knows the wallet's secrets.
 */
export function oauthFailure(res: FetchResult, who: string): ShomeiError {
  const parsed = oauthErrorSchema.safeParse(jsonBody(res));
  if (!parsed.success) return new ShomeiError('upstream_unavailable', `${who} answered HTTP ${res.status}`);
  const { error, error_description: description } = parsed.data;
  const detail = description ? `: ${sanitize(description, 300)}` : '';
  return new ShomeiError(codeFor(error), `${who} refused the request (${sanitize(error, 64)})${detail}`, {
    details: { status: res.status, error },
  });
}

/** Same for RFC 9457 problem details (`{type, title, status, code, detail}`). */
export function problemFailure(res: FetchResult, who: string): ShomeiError {
  const body = jsonBody(res);
  if (typeof body !== 'object' || body === null) return new ShomeiError('upstream_unavailable', `${who} answered HTTP ${res.status}`);
  const p = body as Record<string, unknown>;
  const text = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : undefined;
  const remoteCode = typeof p.code === 'string' ? p.code : typeof p.error === 'string' ? p.error : undefined;
  const label = remoteCode ? ` (${sanitize(remoteCode, 64)})` : '';
  const detail = text ? `: ${sanitize(text, 300)}` : '';
  return new ShomeiError(codeFor(remoteCode), `${who} refused the response${label}${detail}`, {
    details: { status: res.status, code: remoteCode },
  });
}
