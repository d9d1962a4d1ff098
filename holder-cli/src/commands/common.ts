import type { OutboundPolicy } from '@shomei/shared';
import { UsageError } from '../errors.js';
import type { CliContext } from '../ui/io.js';
import type { CredentialRecord } from '../wallet/credential-repository.js';
import { assertWalletExists, openWallet, type Wallet } from '../wallet/wallet.js';

export interface GlobalOptions {
  /** The wallet directory, already resolved (see resolveHome). */
  home: string;
  /** What the wallet may fetch (see walletOutboundPolicy); default: the process's policy. */
  outbound?: OutboundPolicy | undefined;
}

/** SHOMEI_PASSPHRASE, else a hidden prompt (twice when creating), else a usage error. */
export async function readPassphrase(ctx: CliContext, options: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = ctx.env.SHOMEI_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (!ctx.prompter) throw new UsageError('no passphrase: set SHOMEI_PASSPHRASE or run shomei in a terminal');
  const first = await ctx.prompter.hidden('Wallet passphrase: ');
  if (first.length === 0) throw new UsageError('the passphrase must not be empty');
  if (options.confirm) {
    const again = await ctx.prompter.hidden('Repeat the passphrase: ');
    if (again !== first) throw new UsageError('the passphrases do not match');
  }
  return first;
}

/** Opens the wallet (asking for the passphrase only once it is known to exist), runs `fn`, closes. */
export async function withWallet<T>(ctx: CliContext, global: GlobalOptions, fn: (wallet: Wallet) => Promise<T>): Promise<T> {
  assertWalletExists(global.home);
  const wallet = await openWallet(global.home, await readPassphrase(ctx));
  try {
    return await fn(wallet);
  } finally {
    wallet.close();
  }
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The --json shape of a credential's metadata (shared by list, show and receive). */
export function credentialJson(r: CredentialRecord): Record<string, unknown> {
  return {
    id: r.id,
    format: r.format,
    issuer: r.issuer,
    issuer_name: r.issuerName,
    vct: r.vct,
    assurance_level: r.assuranceLevel,
    sandbox: r.sandbox,
    issued_at: r.issuedAt,
    expires_at: r.expiresAt,
    received_at: r.receivedAt,
  };
}

export function levelText(level: string | null, sandbox: boolean): string {
  const l = level ?? '-';
  return sandbox ? `${l} (sandbox)` : l;
}

export function issuerText(name: string | null, issuer: string): string {
  return name ? `${name} <${issuer}>` : issuer;
}
