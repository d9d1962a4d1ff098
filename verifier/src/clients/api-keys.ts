import { hash, randomBytes, randomUUID } from 'node:crypto';
import { ShomeiError } from '@shomei/shared';
import { parseBearer } from '@shomei/shared/http-server';
import type { ClientRow, ClientStore, FrontDeskSessionStore } from '../store/types.js';

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
  return clientForApiKey(store, parseBearer(authorization));
}

/** Resolves an API key (from the header, or typed into the front desk) to its client, or throws `unauthorized`. */
export async function clientForApiKey(store: ClientStore, key: string | undefined): Promise<ClientRow> {
  if (!key) throw new ShomeiError('unauthorized', 'an API key is required (Authorization: Bearer <key>)');
  // Looked up by hash, so the comparison never touches the stored secret itself. Looked up on every
  // call, never cached: a rotated or revoked key must stop at once, on every instance.
  const client = API_KEY_PATTERN.test(key) ? await store.findByKeyHash(hashApiKey(key)) : undefined;
  if (!client) throw new ShomeiError('unauthorized', 'the API key is not valid');
  return client;
}

/** What key rotation and revocation touch: the client and its front-desk sessions. */
export interface ClientKeyStores {
  clients: ClientStore;
  sessions: FrontDeskSessionStore;
}

async function existingClient(store: ClientStore, id: string): Promise<ClientRow> {
  const client = await store.get(id);
  if (!client) throw new ShomeiError('not_found', 'no client with this id (see shomei-verifier client list)');
  return client;
}

/**
 * Gives an unrevoked client a new API key (returned once, only its hash stored). The old key stops
 * at the next request: keys are looked up in the database on every call. Front-desk sessions signed
 * in with the old key are ended too, since a rotation usually means the old key may be known.
 */
export async function rotateApiKey(
  stores: ClientKeyStores,
  id: string,
  now: Date,
): Promise<{ client: ClientRow; apiKey: string; sessionsEnded: number }> {
  const client = await existingClient(stores.clients, id);
  if (client.revokedAt != null) throw new ShomeiError('conflict', 'the client is revoked; create a new client instead');
  const apiKey = newApiKey();
  if (!(await stores.clients.replaceKeyHash(id, hashApiKey(apiKey), now.getTime()))) {
    throw new ShomeiError('conflict', 'the client was revoked meanwhile; create a new client instead');
  }
  const sessionsEnded = await stores.sessions.deleteForClient(id);
  return { client, apiKey, sessionsEnded };
}

/**
 * Revokes a client: its API key stops at once (API and front desk) and its front-desk sessions end.
 * Its requests and evidence records stay until their retention. Revoking twice changes nothing.
 */
export async function revokeClient(
  stores: ClientKeyStores,
  id: string,
  now: Date,
): Promise<{ client: ClientRow; revokedAt: number; alreadyRevoked: boolean; sessionsEnded: number }> {
  await existingClient(stores.clients, id);
  const changed = await stores.clients.revoke(id, now.getTime());
  // Deleted even when already revoked: sessions are unusable either way, the rows need not linger.
  const sessionsEnded = await stores.sessions.deleteForClient(id);
  const client = await existingClient(stores.clients, id);
  return { client, revokedAt: client.revokedAt ?? now.getTime(), alreadyRevoked: !changed, sessionsEnded };
}
