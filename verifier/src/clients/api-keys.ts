import { hash, randomBytes, randomUUID } from 'node:crypto';
import { ShomeiError } from '@shomei/shared';
import type { ClientRow, ClientStore } from '../store/types.js';

export const API_KEY_PREFIX = 'shv_';
const API_KEY_PATTERN = /^shv_[A-Za-z0-9_-]{43}$/;

/** 256 random bits; the prefix makes a leaked key recognisable to secret scanners. */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(apiKey: string): string {
  return hash('sha256', apiKey, 'hex');
}

export function validateClientName(name: string): string {
  const trimmed = name.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (trimmed.length === 0 || trimmed.length > 200 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ShomeiError('invalid_request', 'client name must be 1-200 printable characters');
  }
  return trimmed;
}

/** Creates a business client. The API key is returned once and only its hash is stored. */
export async function createClient(store: ClientStore, name: string, now: Date): Promise<{ client: ClientRow; apiKey: string }> {
  const apiKey = newApiKey();
  const client: ClientRow = { id: randomUUID(), name: validateClientName(name), keyHash: hashApiKey(apiKey), createdAt: now.getTime() };
  await store.insert(client);
  return { client, apiKey };
}

/** Resolves `Authorization: Bearer shv_…` to its client, or throws `unauthorized`. */
export async function authenticateClient(store: ClientStore, authorization: string | undefined): Promise<ClientRow> {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? '');
  const key = match?.[1];
  if (!key) throw new ShomeiError('unauthorized', 'an API key is required (Authorization: Bearer <key>)');
  // Looked up by hash, so the comparison never touches the stored secret itself.
  const client = API_KEY_PATTERN.test(key) ? await store.findByKeyHash(hashApiKey(key)) : undefined;
  if (!client) throw new ShomeiError('unauthorized', 'the API key is not valid');
  return client;
}

/**
 * `authenticateClient` with a short in-memory cache by key hash, so that the verification hot
 * path does not read the database for every call. A deleted client keeps working at most `ttlMs`.
 */
export function cachedAuthenticator(store: ClientStore, now: () => Date, ttlMs = 30_000) {
  const cache = new Map<string, { client: ClientRow; until: number }>();
  return async (authorization: string | undefined): Promise<ClientRow> => {
    const key = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? '')?.[1];
    const h = key && API_KEY_PATTERN.test(key) ? hashApiKey(key) : undefined;
    const hit = h ? cache.get(h) : undefined;
    const t = now().getTime();
    if (hit && hit.until > t) return hit.client;
    const client = await authenticateClient(store, authorization);
    if (h) {
      if (cache.size > 1000) cache.clear();
      cache.set(h, { client, until: t + ttlMs });
    }
    return client;
  };
}
