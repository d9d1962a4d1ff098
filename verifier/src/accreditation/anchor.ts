import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AssuranceLevel,
  p256PrivateJwkFromHex,
  privateKeyFromJwk,
  ShomeiError,
  STATUS,
  StatusList,
  signStatusListToken,
} from '@shomei/shared';
import { ACCREDITATION_STATUS_TYPE, ACCREDITATION_TYPE } from './credential.js';

/**
 * A trust anchor kept in a directory: `anchor-key.json` (its did:jwk and private key, mode
 * 0600) and `accreditations.json` (what it issued, each with its status list index). The
 * status list it publishes is signed afresh from that registry.
 */
export const ANCHOR_KEY_FILE = 'anchor-key.json';
export const REGISTRY_FILE = 'accreditations.json';
export const STATUS_LIST_SIZE = 4096;

interface AnchorKeyFile {
  did: string;
  kid: string;
  private_key_hex: string;
  status_uri: string;
}

export interface IssuedAccreditation {
  id: string;
  idx: number;
  subject: string;
  vcts: string[];
  max_assurance: AssuranceLevel;
  issued_at: string;
  expires_at: string;
  revoked_at?: string;
}

interface Registry {
  accreditations: IssuedAccreditation[];
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    throw new ShomeiError('invalid_request', `cannot read the anchor's ${what} (${file}); run "anchor init" first`);
  }
}

function writeJson(file: string, value: unknown, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  renameSync(tmp, file);
}

/** Creates the anchor: a P-256 did:jwk through Veramo, and an empty registry. */
export async function initAnchor(dir: string, statusUri: string): Promise<{ did: string }> {
  if (!URL.canParse(statusUri)) throw new ShomeiError('invalid_request', '--status-uri is not a URL');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(join(dir, ANCHOR_KEY_FILE))) throw new ShomeiError('conflict', 'this directory already holds an anchor');
  const { agent, privateKeys } = (await import('./veramo.js')).anchorAgent();
  const id = await agent.didManagerCreate({ provider: 'did:jwk', options: { keyType: 'Secp256r1' } });
  const kid = id.keys[0]?.kid as string;
  const { privateKeyHex } = await privateKeys.getKey({ alias: kid });
  writeJson(join(dir, ANCHOR_KEY_FILE), { did: id.did, kid, private_key_hex: privateKeyHex, status_uri: statusUri }, 0o600);
  chmodSync(join(dir, ANCHOR_KEY_FILE), 0o600);
  writeJson(join(dir, REGISTRY_FILE), { accreditations: [] });
  return { did: id.did };
}

export function anchorInfo(dir: string): { did: string; statusUri: string } {
  const k = readJson<AnchorKeyFile>(join(dir, ANCHOR_KEY_FILE), 'key file');
  return { did: k.did, statusUri: k.status_uri };
}

export function listAccreditations(dir: string): IssuedAccreditation[] {
  return readJson<Registry>(join(dir, REGISTRY_FILE), 'registry').accreditations;
}

export interface IssueAccreditationInput {
  /** The KYC body's DID (did:web of its issuer URL). */
  subject: string;
  vcts: string[];
  maxAssurance: AssuranceLevel;
  validDays: number;
  now: Date;
}

/** Issues an accreditation VC-JWT with @veramo/credential-w3c and records it. */
export async function issueAccreditation(dir: string, input: IssueAccreditationInput): Promise<{ id: string; jwt: string }> {
  if (!/^did:[a-z0-9]+:\S+$/.test(input.subject)) throw new ShomeiError('invalid_request', '--subject must be a DID');
  if (input.vcts.length === 0) throw new ShomeiError('invalid_request', 'name at least one --vct');
  const key = readJson<AnchorKeyFile>(join(dir, ANCHOR_KEY_FILE), 'key file');
  const registry = readJson<Registry>(join(dir, REGISTRY_FILE), 'registry');
  const idx = registry.accreditations.length;
  if (idx >= STATUS_LIST_SIZE) throw new ShomeiError('conflict', 'the anchor status list is full');
  const { agent } = (await import('./veramo.js')).anchorAgent();
  await agent.didManagerImport({
    did: key.did,
    provider: 'did:jwk',
    keys: [{ kid: key.kid, type: 'Secp256r1', kms: 'local', privateKeyHex: key.private_key_hex }],
  });
  const id = `urn:uuid:${randomUUID()}`;
  const expires = new Date(input.now.getTime() + input.validDays * 86_400_000);
  const vc = await agent.createVerifiableCredential({
    credential: {
      id,
      issuer: { id: key.did },
      type: ['VerifiableCredential', ACCREDITATION_TYPE],
      issuanceDate: input.now.toISOString(),
      expirationDate: expires.toISOString(),
      credentialSubject: { id: input.subject, accreditation: { vcts: input.vcts, max_assurance: input.maxAssurance } },
      credentialStatus: {
        id: `${key.status_uri}#${idx}`,
        type: ACCREDITATION_STATUS_TYPE,
        statusListUri: key.status_uri,
        statusListIndex: idx,
      },
    },
    proofFormat: 'jwt',
  });
  const jwt = (vc.proof as { jwt?: string }).jwt;
  if (!jwt) throw new ShomeiError('internal', 'Veramo returned no JWT');
  registry.accreditations.push({
    id,
    idx,
    subject: input.subject,
    vcts: input.vcts,
    max_assurance: input.maxAssurance,
    issued_at: input.now.toISOString(),
    expires_at: expires.toISOString(),
  });
  writeJson(join(dir, REGISTRY_FILE), registry);
  return { id, jwt };
}

/** Revokes an accreditation: its status list entry becomes 1 in every list signed from now on. */
export function revokeAccreditation(dir: string, id: string, now: Date): IssuedAccreditation {
  const registry = readJson<Registry>(join(dir, REGISTRY_FILE), 'registry');
  const found = registry.accreditations.find((a) => a.id === id);
  if (!found) throw new ShomeiError('not_found', 'no accreditation with that id');
  found.revoked_at ??= now.toISOString();
  writeJson(join(dir, REGISTRY_FILE), registry);
  return found;
}

/** The anchor's status list token (statuslist+jwt, 1 = revoked), signed now. */
export function anchorStatusListToken(dir: string, now: Date, ttlSeconds = 300): string {
  const key = readJson<AnchorKeyFile>(join(dir, ANCHOR_KEY_FILE), 'key file');
  const list = StatusList.empty(STATUS_LIST_SIZE, 1);
  for (const a of listAccreditations(dir)) if (a.revoked_at) list.set(a.idx, STATUS.INVALID);
  const jwk = p256PrivateJwkFromHex(key.private_key_hex);
  return signStatusListToken({
    issuer: key.did,
    uri: key.status_uri,
    list,
    issuedAt: now,
    ttl: ttlSeconds,
    validFor: 7 * 86_400,
    key: privateKeyFromJwk(jwk),
    kid: `${key.did}#0`,
  });
}
