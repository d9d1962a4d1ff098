import { z } from 'zod';
import type { PublicJwk } from '../crypto/keys.js';
import { ShomeiError } from '../errors.js';
import { httpFetch } from '../http/fetch.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';
import { parseWith } from '../validation.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `http://127.0.0.1:4000` → `did:web:127.0.0.1%3A4000` (the DID of a service at that origin). */
export function didWebForOrigin(origin: string): string {
  const url = new URL(origin);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const path = url.pathname.replace(/\/+$/, '');
  return `did:web:${host}${path ? path.split('/').join(':') : ''}`;
}

/**
 * The URL of a did:web document. did:web mandates https; plain http is used only for loopback
 * hosts, so that services on 127.0.0.1 in development and tests can be resolved.
 */
export function didWebDocumentUrl(did: string): string {
  if (!did.startsWith('did:web:')) throw new ShomeiError('invalid_request', 'not a did:web DID');
  const [hostPart, ...pathParts] = did.slice('did:web:'.length).split(':');
  if (!hostPart) throw new ShomeiError('invalid_request', 'did:web has no host');
  const host = decodeURIComponent(hostPart);
  const hostname = host.replace(/:\d+$/, '');
  const scheme = LOOPBACK.has(hostname) ? 'http' : 'https';
  const path = pathParts.length ? `/${pathParts.map(decodeURIComponent).join('/')}/did.json` : '/.well-known/did.json';
  return `${scheme}://${host}${path}`;
}

export interface DidDocument {
  id: string;
  verificationMethod: { id: string; type: string; controller: string; publicKeyJwk: PublicJwk }[];
  assertionMethod?: string[];
  authentication?: string[];
}

export function buildDidDocument(did: string, keys: PublicJwk[]): DidDocument {
  const methods = keys.map((jwk) => ({
    id: `${did}#${jwk.kid}`,
    type: 'JsonWebKey2020',
    controller: did,
    publicKeyJwk: jwk,
  }));
  return {
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
    authentication: methods.map((m) => m.id),
  };
}

const didDocumentSchema = z.looseObject({
  id: z.string(),
  verificationMethod: z
    .array(z.looseObject({ id: z.string(), type: z.string(), controller: z.string(), publicKeyJwk: z.looseObject({ kty: z.string() }) }))
    .max(64),
});

/** Fetches and checks a did:web document: its `id` must be the DID asked for. */
export async function resolveDidWeb(did: string, options: { policy?: OutboundPolicy | undefined } = {}): Promise<DidDocument> {
  const res = await httpFetch(didWebDocumentUrl(did), { maxBytes: 256 * 1024, policy: options.policy });
  if (res.status !== 200) throw new ShomeiError('upstream_unavailable', `DID document request answered ${res.status}`);
  const doc = parseWith(didDocumentSchema, res.json(), 'DID document', 'upstream_unavailable');
  if (doc.id !== did) throw new ShomeiError('upstream_unavailable', 'DID document id does not match the DID');
  return doc as unknown as DidDocument;
}
