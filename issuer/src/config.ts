import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isSdAlg, loadVaultSecret, SD_ALGS, type SdAlg } from '@shomei/shared';
import type { SandboxConfig } from './deps.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './server.js';

/** Environment variables `shomei-issuer serve` reads (flags win over them). */
export const ENV = {
  host: 'SHOMEI_ISSUER_HOST',
  port: 'SHOMEI_ISSUER_PORT',
  data: 'SHOMEI_ISSUER_DATA',
  publicUrl: 'SHOMEI_ISSUER_PUBLIC_URL',
  sandbox: 'SHOMEI_ISSUER_SANDBOX',
  secret: 'SHOMEI_ISSUER_SECRET',
  adminToken: 'SHOMEI_ISSUER_ADMIN_TOKEN',
  jpkiAnchors: 'SHOMEI_ISSUER_JPKI_ANCHORS',
  jpkiCrl: 'SHOMEI_ISSUER_JPKI_CRL',
  upstreams: 'SHOMEI_ISSUER_UPSTREAMS',
  sdAlg: 'SHOMEI_ISSUER_SD_ALG',
  database: 'SHOMEI_DATABASE_URL',
} as const;

export const DEFAULT_DATA_DIR = './.data/issuer';

/** The flags of `serve`, as commander hands them over. */
export interface ServeFlags {
  host?: string;
  port?: string;
  data?: string;
  database?: string;
  publicUrl?: string;
  sandbox?: boolean;
  secretFile?: string;
  jpkiAnchors?: string;
  jpkiCrl?: string[];
  upstreams?: string;
  sdAlg?: string;
  /** Development: CRL fetches may reach loopback and private addresses. */
  allowPrivateNetwork?: boolean;
}

export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  /** The SQLite file in the data folder, or a PostgreSQL URL that replicas share (`--database`). */
  dbFile: string;
  publicUrl: string | undefined;
  sandbox: SandboxConfig;
  secret: string;
  /** Where the secret came from, for the start-up summary (never the secret itself). */
  secretSource: string;
  /** PEM file of JPKI trust anchors; without it the jpki method is off. */
  jpkiAnchors: string | undefined;
  /** CRL files or URLs (PEM or DER). */
  jpkiCrls: string[];
  /** JSON file of upstream KYC bodies for the reliance method. */
  upstreams: string | undefined;
  /** The credentials' `_sd_alg` (settings.sdAlg). */
  sdAlg: SdAlg;
}

/** A configuration problem to report to the operator as it is (its message holds no secret). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Flags, then environment, then defaults. Refuses to go on without a key-vault secret. */
export function resolveServeConfig(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ServeConfig {
  const host = flags.host ?? env[ENV.host] ?? DEFAULT_HOST;
  const portText = flags.port ?? env[ENV.port];
  const port = portText === undefined ? DEFAULT_PORT : parsePort(portText);
  const dataDir = resolve(flags.data ?? env[ENV.data] ?? DEFAULT_DATA_DIR);
  const publicUrl = flags.publicUrl ?? env[ENV.publicUrl] ?? undefined;

  const { secret, secretSource } = resolveSecret(flags, env, readFile);

  const sandboxOn = flags.sandbox === true || isTruthy(env[ENV.sandbox]);
  let sandbox: SandboxConfig = { enabled: false };
  if (sandboxOn) {
    const adminToken = env[ENV.adminToken];
    if (!adminToken) throw new ConfigError(`the sandbox needs an admin token: set ${ENV.adminToken}`);
    sandbox = { enabled: true, adminToken };
  }
  const jpkiAnchors = flags.jpkiAnchors ?? env[ENV.jpkiAnchors] ?? undefined;
  const jpkiCrls = flags.jpkiCrl?.length ? flags.jpkiCrl : (env[ENV.jpkiCrl]?.split(',').filter(Boolean) ?? []);
  if (jpkiAnchors && jpkiCrls.length === 0)
    throw new ConfigError(`JPKI trust anchors need a CRL: pass --jpki-crl <file|url> (env ${ENV.jpkiCrl})`);
  const upstreams = flags.upstreams ?? env[ENV.upstreams] ?? undefined;
  const sdAlg = parseSdAlg(flags.sdAlg ?? env[ENV.sdAlg] ?? 'sha-256');
  return {
    host,
    port,
    dataDir,
    dbFile: flags.database ?? env[ENV.database] ?? join(dataDir, 'issuer.db'),
    publicUrl,
    sandbox,
    secret,
    secretSource,
    jpkiAnchors,
    jpkiCrls,
    upstreams,
    sdAlg,
  };
}

/** A `_sd_alg` name from a flag or the environment, or a ConfigError that lists the allowed ones. */
export function parseSdAlg(text: string): SdAlg {
  if (isSdAlg(text)) return text;
  throw new ConfigError(`the disclosure digest (--sd-alg, env ${ENV.sdAlg}) must be one of ${SD_ALGS.join(', ')}`);
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new ConfigError(`port must be a number from 0 to 65535, not ${JSON.stringify(text)}`);
  return Number(text);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** The key-vault secret from `--secret-file` or the environment; refuses to go on without one. */
export function resolveSecret(
  flags: { secretFile?: string },
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): { secret: string; secretSource: string } {
  const { secret, source } = loadVaultSecret({
    secretFile: flags.secretFile,
    envName: ENV.secret,
    env,
    purpose: "the secret seals the issuer's signing keys at rest",
    fail: (message) => new ConfigError(message),
    readFile,
  });
  return { secret, secretSource: source };
}
