import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateEs256KeyPair,
  IDENTITY_CONFIGURATION_ID,
  PRE_AUTHORIZED_GRANT,
  PROOF_TYP,
  parseCredentialOfferUri,
  publicKeyFromJwk,
  type SqliteDatabase,
  signJws,
} from '@shomei/shared';
import { type IssuerKeyResolver, StatusListCache, verifyPresentation } from '@shomei/verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../admin/tokens.js';
import { type RunningIssuer, startIssuer } from '../server.js';
import { ADMIN_TOKEN, SECRET, START, taro } from '../testing/harness.js';

// The issuer runs over real HTTP; the verifier's own status-list cache fetches from it. Both share a clock.
let clock = START.getTime();
const now = () => new Date(clock);
let dir: string;
let issuer: RunningIssuer;
/** The issuer's SQLite connection, to read rows the test checks (never while a transaction is open). */
const rawDb = () => (issuer.deps.sql as SqliteDatabase).connection;
let revoker: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-lifecycle-'));
  issuer = await startIssuer({
    port: 0,
    dataDir: dir,
    secret: SECRET,
    sandbox: { enabled: true, adminToken: ADMIN_TOKEN },
    now,
    log: () => {},
  });
  revoker = (await createAdminToken(issuer.deps.sql, now(), 'ops', ['revoke'])).token;
});
afterAll(async () => {
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, token?: string, form = false): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${issuer.url}${path}`, {
    method: 'POST',
    headers,
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
}

async function issue(): Promise<string> {
  const offer = (await (await post('/v1/sandbox/offers', { identity: taro }, ADMIN_TOKEN)).json()) as {
    offer_uri: string;
    tx_code: string;
  };
  const parsed = parseCredentialOfferUri(offer.offer_uri);
  if (!('offer' in parsed)) throw new Error('by reference');
  const code = parsed.offer.grants[PRE_AUTHORIZED_GRANT]['pre-authorized_code'];
  const token = (
    (await (
      await post('/token', { grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code, tx_code: offer.tx_code }, undefined, true)
    ).json()) as { access_token: string }
  ).access_token;
  const nonce = ((await (await post('/nonce', {})).json()) as { c_nonce: string }).c_nonce;
  const holder = generateEs256KeyPair();
  const proof = signJws(
    { typ: PROOF_TYP, alg: 'ES256', jwk: holder.publicJwk },
    { aud: issuer.url, iat: Math.floor(clock / 1000), nonce },
    holder.privateKey,
  );
  const res = await post('/credential', { credential_configuration_id: IDENTITY_CONFIGURATION_ID, proofs: { jwt: [proof] } }, token);
  return ((await res.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential as string;
}

const trust: IssuerKeyResolver = {
  resolveKey: (iss) => {
    if (iss !== issuer.url) throw new Error('untrusted');
    return publicKeyFromJwk(issuer.deps.keys.current.publicJwk);
  },
};
const cache = new StatusListCache({ trust, now });

/** What a verifier does: refresh the status list if its ttl has passed, then verify. */
async function verify(credential: string): Promise<string[]> {
  await cache.ensure(`${issuer.url}/status-lists/1`, issuer.url);
  const result = await verifyPresentation(credential, { now: now(), trust, statusLists: cache, keyBinding: 'optional' });
  return result.errors.map((e) => e.code);
}

async function setStatus(id: string, status: string): Promise<Response> {
  return post(`/v1/admin/credentials/${id}/status`, { status, reason: 'test of the lifecycle' }, revoker);
}

function idOf(credential: string): string {
  const rows = rawDb().prepare('SELECT id, status_idx FROM credentials').all() as { id: string; status_idx: number }[];
  const idx = (
    JSON.parse(Buffer.from(credential.split('.')[1] as string, 'base64url').toString()) as { status: { status_list: { idx: number } } }
  ).status.status_list.idx;
  return rows.find((r) => r.status_idx === idx)?.id as string;
}

describe('credential lifecycle through the admin API, as a verifier sees it', () => {
  it('a revoked credential fails at the verifier once the status list ttl has passed', async () => {
    const credential = await issue();
    expect(await verify(credential)).toEqual([]);
    const res = await setStatus(idOf(credential), 'revoked');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'revoked', status_list_ttl: 300 });
    clock += 10_000;
    // Within the ttl the verifier may still use its cached list.
    expect(await verify(credential)).toEqual([]);
    clock += 300_000;
    expect(await verify(credential)).toEqual(['revoked']);
  });

  it('reinstating a suspended credential makes it pass again', async () => {
    const credential = await issue();
    const id = idOf(credential);
    expect((await setStatus(id, 'suspended')).status).toBe(200);
    clock += 301_000;
    expect(await verify(credential)).toEqual(['suspended']);
    expect((await setStatus(id, 'valid')).status).toBe(200);
    clock += 301_000;
    expect(await verify(credential)).toEqual([]);
  });

  it('needs a revoke-scoped token and records each change with its actor and reason in the audit log', async () => {
    const credential = await issue();
    const id = idOf(credential);
    expect((await post(`/v1/admin/credentials/${id}/status`, { status: 'revoked', reason: 'x y z' })).status).toBe(401);
    const reviewer = (await createAdminToken(issuer.deps.sql, now(), 'reviewer', ['review'])).token;
    expect((await post(`/v1/admin/credentials/${id}/status`, { status: 'revoked', reason: 'x y z' }, reviewer)).status).toBe(403);
    const rows = rawDb()
      .prepare("SELECT actor, action, data FROM audit_log WHERE action LIKE 'credential.%' AND action != 'credential.issued'")
      .all() as {
      actor: string;
      action: string;
      data: string;
    }[];
    expect(rows.map((r) => `${r.actor} ${r.action}`)).toEqual([
      'admin:ops credential.revoked',
      'admin:ops credential.suspended',
      'admin:ops credential.reinstated',
    ]);
    expect(JSON.parse(rows[0]?.data as string)).toMatchObject({ from: 'valid', to: 'revoked', reason: 'test of the lifecycle' });
  });
});
