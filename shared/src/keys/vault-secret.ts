import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where a service's key-vault secret comes from: `--secret-file`, else one environment variable. */
export interface VaultSecretSource {
  /** The `--secret-file` flag, when given (it wins over the environment). */
  secretFile: string | undefined;
  /** e.g. SHOMEI_ISSUER_SECRET. An empty value counts as unset. */
  envName: string;
  env: NodeJS.ProcessEnv;
  /** What the secret protects, for the refusal ("it seals the issuer's signing keys at rest"). */
  purpose: string;
  /** The service's own error for configuration mistakes (its message holds no secret). */
  fail: (message: string) => Error;
  readFile?: (path: string) => string;
}

export interface VaultSecret {
  secret: string;
  /** Where it came from, for the start-up summary (never the secret itself). */
  source: string;
}

/**
 * The key-vault secret, or the service's error naming what to do. A file's one trailing newline
 * (what `echo` and editors add) is not part of the secret; an empty file is refused.
 */
export function loadVaultSecret(from: VaultSecretSource): VaultSecret {
  const readFile = from.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  if (from.secretFile !== undefined) {
    let secret: string;
    try {
      secret = readFile(from.secretFile).replace(/\r?\n$/, '');
    } catch {
      throw from.fail(`cannot read the secret file ${from.secretFile}`);
    }
    if (secret.length === 0) throw from.fail(`the secret file ${from.secretFile} is empty`);
    return { secret, source: `file ${resolve(from.secretFile)}` };
  }
  const fromEnv = from.env[from.envName];
  if (fromEnv) return { secret: fromEnv, source: `env ${from.envName}` };
  throw from.fail(`no key-vault secret: set ${from.envName} or pass --secret-file <path> (${from.purpose})`);
}
