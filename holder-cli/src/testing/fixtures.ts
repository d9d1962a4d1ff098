import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEs256KeyPair, IDENTITY_VCT, type IdentityRecord, type KeyPair, type PublicJwk } from '@shomei/shared';
import { issueTestIdentityCredential, type LoopbackServer, SAMPLE_IDENTITY, serveOnLoopback } from '@shomei/shared/testing';
import type { Hono } from 'hono';
import type { CliContext, Prompter } from '../ui/io.js';
import { initWallet, type Wallet } from '../wallet/wallet.js';

/** A fictional person (test data only). */
export const PERSON: IdentityRecord = SAMPLE_IDENTITY;

export const NOW = new Date('2026-11-21T09:00:00Z');

export interface TestIssuer {
  iss: string;
  key: KeyPair & { kid: string };
}

export function newTestIssuer(iss = 'http://127.0.0.1:4999'): TestIssuer {
  return { iss, key: { ...generateEs256KeyPair(), kid: 'issuer-key-1' } };
}

/** An identity credential shaped as the Shomei issuer's sandbox makes it. */
export function issueTestCredential(
  issuer: TestIssuer,
  holderJwk: PublicJwk,
  options: { issuedAt?: Date; validDays?: number; record?: IdentityRecord; vct?: string; statusIdx?: number } = {},
): Promise<string> {
  const issuedAt = options.issuedAt ?? NOW;
  return issueTestIdentityCredential({ iss: issuer.iss, kid: issuer.key.kid, key: issuer.key }, holderJwk, {
    record: options.record ?? PERSON,
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + (options.validDays ?? 365) * 86_400_000),
    ...(options.vct ? { vct: options.vct } : {}),
    ...(options.statusIdx === undefined ? {} : { statusIdx: options.statusIdx }),
    sandbox: true,
  });
}

/** Serves a hono app on 127.0.0.1 with a port the OS picks. */
export function startServer(app: Hono): Promise<LoopbackServer> {
  return serveOnLoopback(app.fetch);
}

export interface CapturedContext extends CliContext {
  out: () => string;
  /** stderr without the "fetching http://… (not https…)" notes, which every loopback test server causes. */
  err: () => string;
  /** stderr as written, the notes included. */
  rawErr: () => string;
}

const FETCH_NOTE = /^shomei: fetching \S+ \(not https[^)]*\)\n/gm;

/** A CLI context that records output; `answers` are handed out to prompts in order. */
export function captureContext(
  env: Record<string, string | undefined>,
  options: { now?: () => Date; answers?: string[]; terminal?: boolean } = {},
): CapturedContext {
  let out = '';
  let err = '';
  const answers = [...(options.answers ?? [])];
  const next = async () => {
    const a = answers.shift();
    if (a === undefined) throw new Error('test prompt: no answer left');
    return a;
  };
  const prompter: Prompter = { hidden: next, line: next };
  return {
    // Every test server is on loopback: the wallet may fetch there (a test of the refusal sets it to 0).
    env: { SHOMEI_ALLOW_PRIVATE_NETWORK: '1', ...env },
    now: options.now ?? (() => NOW),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    prompter: options.terminal || options.answers ? prompter : undefined,
    out: () => out,
    err: () => err.replace(FETCH_NOTE, ''),
    rawErr: () => err,
  };
}

export const TEST_PASSPHRASE = 'test passphrase 🔑';

/** Stores in an open wallet one identity credential from `issuer`, bound to a new vault key. */
export async function storeTestCredential(wallet: Wallet, issuer: TestIssuer = newTestIssuer()): Promise<{ id: string; compact: string }> {
  const key = await wallet.vault.createEs256Key('holder-binding');
  const compact = await issueTestCredential(issuer, key.publicJwk);
  const id = wallet.credentials.insert(
    {
      format: 'dc+sd-jwt',
      issuer: issuer.iss,
      issuerName: 'Test KYC',
      vct: IDENTITY_VCT,
      assuranceLevel: 'IAL2',
      sandbox: true,
      holderKid: key.kid,
      issuedAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + 365 * 86_400_000).toISOString(),
      receivedAt: NOW.toISOString(),
    },
    compact,
  );
  return { id, compact };
}

/** A fresh wallet in a temporary home holding one identity credential bound to a vault key. */
export async function walletWithCredential(): Promise<{ home: string; id: string; compact: string; issuer: TestIssuer }> {
  const home = join(mkdtempSync(join(tmpdir(), 'shomei-test-')), 'wallet');
  const wallet = await initWallet(home, TEST_PASSPHRASE);
  try {
    const issuer = newTestIssuer();
    const { id, compact } = await storeTestCredential(wallet, issuer);
    return { home, id, compact, issuer };
  } finally {
    wallet.close();
  }
}
