import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { ShomeiError } from '../errors.js';
import { defaultOutboundPolicy, type OutboundPolicy, type VettedTarget } from './outbound-policy.js';

export interface FetchOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** FormData for multipart uploads (the boundary is set here). */
  body?: string | URLSearchParams | FormData;
  timeoutMs?: number;
  maxBytes?: number;
  /** Which targets may be fetched; default: the process's policy from its environment (see `defaultOutboundPolicy`). */
  policy?: OutboundPolicy;
}

export interface FetchResult {
  status: number;
  headers: Headers;
  body: string;
  json<T = unknown>(): T;
}

/** The body as bytes and the content type fetch would give it. */
async function encodeBody(body: NonNullable<FetchOptions['body']>): Promise<{ bytes: Buffer; contentType: string | null }> {
  const encoded = new Request('http://body.invalid/', { method: 'POST', body });
  return { bytes: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

/** Connects to the vetted address only: the lookup answers with it, whatever the name would resolve to now. */
function pinnedLookup(target: VettedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

function send(
  target: VettedTarget,
  options: FetchOptions,
  headers: Record<string, string>,
  payload: Buffer | undefined,
): Promise<IncomingMessage> {
  const requestOptions: RequestOptions = {
    method: options.method ?? 'GET',
    hostname: target.hostname,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers,
    lookup: pinnedLookup(target),
    // A fresh connection each time: a pooled socket would skip the policy's per-request check.
    agent: false,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  };
  return new Promise((resolve, reject) => {
    const req = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(requestOptions, resolve);
    req.once('error', reject);
    req.end(payload);
  });
}

/**
 * The one outbound HTTP wrapper: every URL passes the outbound policy (scheme, port, resolved
 * address; see OutboundPolicy), redirects are never followed (a 3xx is returned as it is), the
 * whole exchange has a timeout, the response a size cap. Messages name the origin, never the path.
 */
export async function httpFetch(url: string, options: FetchOptions = {}): Promise<FetchResult> {
  const policy = options.policy ?? defaultOutboundPolicy();
  const target = await policy.vet(url);
  const { origin } = target.url;
  const headers: Record<string, string> = { ...options.headers };
  if (!hasHeader(headers, 'accept')) headers.accept = '*/*';
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    const encoded = await encodeBody(options.body);
    payload = encoded.bytes;
    if (encoded.contentType && !hasHeader(headers, 'content-type')) headers['content-type'] = encoded.contentType;
    headers['content-length'] = String(payload.byteLength);
  }
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  let res: IncomingMessage;
  const chunks: Buffer[] = [];
  try {
    res = await send(target, options, headers, payload);
    let total = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        res.destroy();
        throw new ShomeiError('upstream_unavailable', `response from ${origin} is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof ShomeiError) throw cause;
    policy.recordFailure(origin);
    throw new ShomeiError('upstream_unavailable', `could not reach ${origin}`, { cause });
  }
  policy.recordSuccess(origin);
  const responseHeaders = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  return {
    status: res.statusCode ?? 0,
    headers: responseHeaders,
    body,
    json<T>() {
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new ShomeiError('upstream_unavailable', `response from ${origin} is not JSON`);
      }
    },
  };
}
