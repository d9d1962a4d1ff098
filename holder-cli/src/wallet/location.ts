import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const WALLET_FILE = 'wallet.db';

/** `--home`, else SHOMEI_HOME, else ~/.shomei; always absolute. */
export function resolveHome(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const chosen = option ?? (env.SHOMEI_HOME ? env.SHOMEI_HOME : undefined) ?? join(homedir(), '.shomei');
  return resolve(chosen);
}

export function walletFile(home: string): string {
  return join(home, WALLET_FILE);
}
