// Test support only (excluded from the build): an issuer on a temp database with a controllable clock.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Db,
  generateEs256KeyPair,
  IDENTITY_CONFIGURATION_ID,
  type IdentityRecord,
  type KeyPair,
  PRE_AUTHORIZED_GRANT,
  PROOF_TYP,
  parseCredentialOfferUri,
  type SqliteDatabase,
  signJws,
} from '@shomei/shared';
import { samplePerson, TARO } from '@shomei/shared/testing';
import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type IssuerDeps, openIssuerDeps } from '../deps.js';
import { createIssuerApp } from '../http/app.js';
import type { ProofingConfig } from '../proofing/config.js';
import type { IssuerSettings } from '../settings.js';

export const BASE = 'http://127.0.0.1:4000';
export const ADMIN_TOKEN = 'test-admin-token-7c1f9a2e';
export const SECRET = 'test vault secret';
export const START = new Date('2026-11-21T03:00:00Z');

export const taro: IdentityRecord = samplePerson(TARO, ['phone_number']);

export interface Harness {
  deps: IssuerDeps;
  /**
   * The SQLite connection under `deps.sql`, for tests that look at or tamper with rows directly
   * (synchronously: never while the issuer has a transaction open).
   */
  db: Db;
  app: Hono;
  dir: string;
  dbFile: string;
  logs: string[];
  now(): Date;
  advance(seconds: number): void;
  close(): Promise<void>;
}

export async function createHarness(
  options: { sandbox?: boolean; settings?: Partial<IssuerSettings>; proofing?: Partial<ProofingConfig> } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-issuer-'));
  const dbFile = join(dir, 'issuer.db');
  let clock = START.getTime();
  const logs: string[] = [];
  const deps = await openIssuerDeps({
    dbFile,
    secret: SECRET,
    baseUrl: BASE,
    sandbox: options.sandbox === false ? { enabled: false } : { enabled: true, adminToken: ADMIN_TOKEN },
    now: () => new Date(clock),
    log: (line) => logs.push(line),
    settings: options.settings,
    proofing: { uploadsDir: join(dir, 'uploads'), ...options.proofing },
  });
  return {
    deps,
    db: (deps.sql as SqliteDatabase).connection,
    app: createIssuerApp(deps),
    dir,
    dbFile,
    logs,
    now: () => new Date(clock),
    advance: (seconds) => {
      clock += seconds * 1000;
    },
    close: async () => {
      await deps.sql.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a harness before each test (`'each'`) or once before the file's tests (`'all'`) and closes it after,
 * so a test file need not repeat the `let h; beforeEach(createHarness); afterEach(close)` block. Call it at
 * the top of a file; the object it returns stands for whichever harness is open, so use it only inside
 * tests and hooks.
 */
export function useHarness(scope: 'each' | 'all' = 'each'): Harness {
  let current: Harness | undefined;
  const open = (): Harness => {
    if (!current) throw new Error('useHarness: no harness is open outside tests and hooks');
    return current;
  };
  (scope === 'all' ? beforeAll : beforeEach)(async () => {
    current = await createHarness();
  });
  (scope === 'all' ? afterAll : afterEach)(async () => {
    const closing = current?.close();
    current = undefined;
    await closing;
  });
  return {
    get deps() {
      return open().deps;
    },
    get db() {
      return open().db;
    },
    get app() {
      return open().app;
    },
    get dir() {
      return open().dir;
    },
    get dbFile() {
      return open().dbFile;
    },
    get logs() {
      return open().logs;
    },
    now: () => open().now(),
    advance: (seconds) => open().advance(seconds),
    close: async () => {
      const closing = open().close();
      current = undefined;
      await closing;
    },
  };
}

export interface SandboxOffer {
  offer_uri: string;
  tx_code: string;
  expires_at: string;
  sandbox: true;
  code: string;
}

/** `POST /v1/sandbox/offers` with the admin token, the response as it is. */
export function sandboxOfferRequest(h: Harness, body: unknown = { identity: taro }): Promise<Response> {
  return Promise.resolve(
    h.app.request('/v1/sandbox/offers', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/** The pre-authorized code in an offer URI that carries its offer by value. */
export function preAuthorizedCode(offerUri: string): string {
  const parsed = parseCredentialOfferUri(offerUri);
  if (!('offer' in parsed)) throw new Error('offer is not by value');
  return parsed.offer.grants[PRE_AUTHORIZED_GRANT]['pre-authorized_code'];
}

export async function makeOffer(h: Harness, body: unknown = { identity: taro }): Promise<SandboxOffer> {
  const res = await sandboxOfferRequest(h, body);
  if (res.status !== 201) throw new Error(`sandbox offer answered ${res.status}: ${await res.text()}`);
  const json = (await res.json()) as Omit<SandboxOffer, 'code'>;
  return { ...json, code: preAuthorizedCode(json.offer_uri) };
}

export function tokenRequest(h: Harness, fields: Record<string, string>): Promise<Response> {
  return Promise.resolve(
    h.app.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

export function redeem(h: Harness, code: string, txCode?: string): Promise<Response> {
  const fields: Record<string, string> = { grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code };
  if (txCode !== undefined) fields.tx_code = txCode;
  return tokenRequest(h, fields);
}

export async function accessToken(h: Harness, offer: SandboxOffer): Promise<string> {
  const res = await redeem(h, offer.code, offer.tx_code);
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An access token for a new sandbox offer for taro: where the credential endpoint's tests start. */
export async function freshAccessToken(h: Harness): Promise<string> {
  return accessToken(h, await makeOffer(h));
}

/** `POST /nonce`, the response as it is. */
export function nonceRequest(h: Harness): Promise<Response> {
  return Promise.resolve(h.app.request('/nonce', { method: 'POST' }));
}

export async function nonce(h: Harness): Promise<string> {
  const res = await nonceRequest(h);
  return ((await res.json()) as { c_nonce: string }).c_nonce;
}

export interface ProofOptions {
  nonce?: string;
  aud?: unknown;
  iat?: number;
  header?: Record<string, unknown>;
}

export function proofJwt(holder: KeyPair, h: Harness, options: ProofOptions): string {
  const header = { typ: PROOF_TYP, alg: 'ES256', jwk: holder.publicJwk, ...options.header };
  const payload: Record<string, unknown> = {
    aud: 'aud' in options ? options.aud : BASE,
    iat: options.iat ?? Math.floor(h.now().getTime() / 1000),
  };
  if (options.nonce !== undefined) payload.nonce = options.nonce;
  return signJws(header, payload, holder.privateKey);
}

export function credentialRequest(h: Harness, token: string | undefined, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return Promise.resolve(h.app.request('/credential', { method: 'POST', headers, body: JSON.stringify(body) }));
}

export function credentialBody(...proofs: string[]): unknown {
  return { credential_configuration_id: IDENTITY_CONFIGURATION_ID, proofs: { jwt: proofs } };
}

/** The whole pre-authorized flow; returns the compact SD-JWT VC and the holder key it is bound to. */
export async function issueOne(h: Harness, body: unknown = { identity: taro }): Promise<{ credential: string; holder: KeyPair }> {
  const offer = await makeOffer(h, body);
  const token = await accessToken(h, offer);
  const holder = generateEs256KeyPair();
  const res = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
  if (res.status !== 200) throw new Error(`credential answered ${res.status}: ${await res.text()}`);
  const json = (await res.json()) as { credentials: { credential: string }[] };
  return { credential: json.credentials[0]?.credential as string, holder };
}

/** Redeems an offer URI and tx_code for one credential bound to a fresh holder key. */
export async function redeemOfferUri(h: Harness, offerUri: string, txCode: string): Promise<{ credential: string; holder: KeyPair }> {
  const res = await redeem(h, preAuthorizedCode(offerUri), txCode);
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${await res.text()}`);
  const token = ((await res.json()) as { access_token: string }).access_token;
  const holder = generateEs256KeyPair();
  const cred = await credentialRequest(h, token, credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
  if (cred.status !== 200) throw new Error(`credential answered ${cred.status}: ${await cred.text()}`);
  const json = (await cred.json()) as { credentials: { credential: string }[] };
  return { credential: json.credentials[0]?.credential as string, holder };
}

/** A JSON request to the app, with an optional bearer token. */
export function jsonRequest(h: Harness, method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return Promise.resolve(h.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}
