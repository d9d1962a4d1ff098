import { ERROR_CODES, type ErrorCode, type FetchResult, oauthErrorSchema, ShomeiError, sanitize } from '@shomei/shared';

function codeFor(remote: unknown): ErrorCode {
  return typeof remote === 'string' && Object.hasOwn(ERROR_CODES, remote) ? (remote as ErrorCode) : 'upstream_unavailable';
}

/**
 * The scalar members of a remote `details` object (e.g. `attempts_left`), so that what the wallet
 * does next reads data, not message text. Anything else (objects, long strings) is dropped.
 */
function remoteDetails(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const kept: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value).slice(0, 16)) {
    if (typeof v === 'number' || typeof v === 'boolean') kept[name] = v;
    else if (typeof v === 'string') kept[name] = sanitize(v, 100);
  }
  return kept;
}

function jsonBody(res: FetchResult): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}

/**
 * What the OAuth and OpenID4VCI error codes mean, in words a person reads; the code itself follows
 * in brackets, for whoever helps them.
 */
const PLAIN_OAUTH: Readonly<Record<string, string>> = {
  invalid_grant: 'did not accept the offer code or the transaction code',
  invalid_request: 'found the request malformed',
  invalid_client: 'did not recognise this wallet',
  unauthorized_client: 'does not let this wallet use this offer',
  unsupported_grant_type: 'does not take this kind of offer',
  invalid_token: 'did not accept the access it granted (it may have expired: ask for a new offer)',
  invalid_proof: "did not accept the proof of the wallet's key",
  invalid_nonce: "did not accept the proof of the wallet's key (its nonce had expired)",
  unknown_credential_configuration: 'does not issue the credential asked for',
  unknown_credential_identifier: 'does not issue the credential asked for',
  credential_request_denied: 'refused to issue the credential',
  invalid_credential_request: 'found the credential request malformed',
};

/**
 * Turns an OAuth error answer (`{error, error_description}`) into a ShomeiError that keeps the
 * remote code and says what the server said, cleaned for the terminal. The description comes
 * from the issuer, which never knows the wallet's secrets.
 *
 * A Shomei issuer adds its stable code (`shomei_code`) and `details` (RFC 6749 extension members):
 * the wallet takes its code from them. Any other OpenID4VCI issuer sends only the OAuth `error`,
 * which is used when it is one of our codes. A server-side failure (5xx) is the issuer being
 * unavailable, whatever it calls it.
 */
export function oauthFailure(res: FetchResult, who: string): ShomeiError {
  const body = jsonBody(res);
  const parsed = oauthErrorSchema.safeParse(body);
  if (!parsed.success) return new ShomeiError('upstream_unavailable', `${who} answered HTTP ${res.status}`);
  const { error, error_description: description, shomei_code: shomeiCode, details } = parsed.data;
  const detail = description ? `: ${sanitize(description, 300)}` : '';
  const code = res.status >= 500 ? 'upstream_unavailable' : codeFor(shomeiCode ?? error);
  const plain = Object.hasOwn(PLAIN_OAUTH, error) ? PLAIN_OAUTH[error] : 'refused the request';
  return new ShomeiError(code, `${who} ${plain}${detail} (${sanitize(error, 64)})`, {
    details: { ...remoteDetails(details), status: res.status, error },
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

/**
 * The verifier would not hand over its request object: keep what it said (an expired or already
 * answered QR code is the common case, and the person can act on it: the hints for `expired` and
 * `replay` say to ask for a new request), and say which status it answered. A 4xx with no code the
 * wallet knows stays `request_invalid`; a 5xx is the verifier being unavailable.
 */
export function requestObjectFailure(res: FetchResult): ShomeiError {
  const body = jsonBody(res);
  const p = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const remoteCode = typeof p.code === 'string' ? p.code : typeof p.error === 'string' ? p.error : undefined;
  const text = typeof p.detail === 'string' ? p.detail : typeof p.error_description === 'string' ? p.error_description : undefined;
  const known = remoteCode !== undefined && Object.hasOwn(ERROR_CODES, remoteCode) ? (remoteCode as ErrorCode) : undefined;
  const code: ErrorCode = res.status >= 500 ? 'upstream_unavailable' : (known ?? 'request_invalid');
  const label = remoteCode ? `, ${sanitize(remoteCode, 64)}` : '';
  const detail = text ? `: ${sanitize(text, 300)}` : '';
  return new ShomeiError(code, `the verifier did not hand over the request (HTTP ${res.status}${label})${detail}`, {
    details: { status: res.status, code: remoteCode },
  });
}
