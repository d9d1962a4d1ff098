import { ShomeiError } from '../errors.js';

export interface FetchOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** FormData for multipart uploads (fetch sets the boundary). */
  body?: string | URLSearchParams | FormData;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface FetchResult {
  status: number;
  headers: Headers;
  body: string;
  json<T = unknown>(): T;
}

/**
 * The one outbound HTTP wrapper: a timeout, no redirects followed, a cap on the response size.
 * Only http(s) URLs; plain http is the caller's choice (loopback development setups).
 */
export async function httpFetch(url: string, options: FetchOptions = {}): Promise<FetchResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ShomeiError('invalid_request', 'not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ShomeiError('invalid_request', `unsupported URL scheme ${parsed.protocol}`);
  }
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  let res: Response;
  try {
    res = await fetch(parsed, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new ShomeiError('upstream_unavailable', `could not reach ${parsed.origin}`, { cause });
  }
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new ShomeiError('upstream_unavailable', `response from ${parsed.origin} is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  }
  const body = Buffer.concat(chunks).toString('utf8');
  return {
    status: res.status,
    headers: res.headers,
    body,
    json<T>() {
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new ShomeiError('upstream_unavailable', `response from ${parsed.origin} is not JSON`);
      }
    },
  };
}
