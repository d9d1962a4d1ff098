import { dirname, join } from 'node:path';
import { isPostgresUrl, KeyVault, ShomeiError, type SqlDatabase } from '@shomei/shared';
import { type AuditSink, appendAudit } from './audit/audit-log.js';
import { openIssuerDatabase } from './database.js';
import { type IssuerKeys, loadIssuerKeys } from './keys.js';
import type { ProofingConfig } from './proofing/config.js';
import { DEFAULT_SETTINGS, type IssuerSettings } from './settings.js';
import { StatusLists } from './status/status-lists.js';

export type SandboxConfig = { enabled: false } | { enabled: true; adminToken: string };

/** One log line; callers never pass a token, key, passphrase or personal value. */
export type Logger = (line: string) => void;

/** Everything the issuer's HTTP app and functions work with, passed in (tests build their own). */
export interface IssuerDeps {
  /** Public base URL without a trailing slash: the credential issuer identifier and `iss`. */
  baseUrl: string;
  /** The database: a SQLite file, or PostgreSQL (`--database postgres://…`) that replicas share. */
  sql: SqlDatabase;
  vault: KeyVault;
  keys: IssuerKeys;
  statusLists: StatusLists;
  now: () => Date;
  sandbox: SandboxConfig;
  settings: IssuerSettings;
  log: Logger;
  /** Appends to the hash-chained audit log. */
  audit: AuditSink;
  proofing: ProofingConfig;
  /** Uploaded batch files and other working files live under it (replicas share it). */
  dataDir: string;
}

export interface OpenIssuerOptions {
  /** SQLite file (created and migrated if needed), ':memory:', or a `postgres://` URL. */
  dbFile: string;
  /** Working files (batch uploads and outputs); default the SQLite file's folder, required for PostgreSQL. */
  dataDir?: string;
  /** PostgreSQL connections in this process's pool (default 10). */
  maxConnections?: number;
  /** Secret that seals the key vault. */
  secret: string;
  baseUrl: string;
  sandbox?: SandboxConfig;
  now?: () => Date;
  log?: Logger;
  settings?: Partial<IssuerSettings>;
  /** Identity proofing: JPKI trust, upstream KYC bodies, the uploads directory (default `<db dir>/uploads`). */
  proofing?: Partial<ProofingConfig>;
}

/** Opens the database and key vault, loading (or on first start creating) the signing key. */
export async function openIssuerDeps(options: OpenIssuerOptions): Promise<IssuerDeps> {
  const dataDir = options.dataDir ?? defaultDataDir(options.dbFile);
  const sql = await openIssuerDatabase(options.dbFile, { max: options.maxConnections });
  try {
    const vault = await KeyVault.open(sql, options.secret);
    const keys = await loadIssuerKeys(vault);
    const now = options.now ?? (() => new Date());
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const baseUrl = normalizeBaseUrl(options.baseUrl);
    const statusLists = await StatusLists.open({
      sql,
      baseUrl,
      key: keys.current,
      now,
      size: settings.statusListSize,
      ttlSeconds: settings.statusListTtlSeconds,
      validitySeconds: settings.statusListValiditySeconds,
    });
    return {
      baseUrl,
      sql,
      vault,
      keys,
      statusLists,
      now,
      sandbox: options.sandbox ?? { enabled: false },
      settings,
      log: options.log ?? ((line) => console.log(line)),
      audit: async (event, tx = sql) => {
        await appendAudit(tx, now, event);
      },
      proofing: {
        jpki: options.proofing?.jpki,
        upstreams: options.proofing?.upstreams ?? [],
        uploadsDir: options.proofing?.uploadsDir ?? join(dataDir, 'uploads'),
      },
      dataDir,
    };
  } catch (e) {
    await sql.close();
    throw e;
  }
}

/** A SQLite file's folder; PostgreSQL has none, so its working folder must be named. */
function defaultDataDir(dbFile: string): string {
  if (dbFile === ':memory:') return '.';
  if (isPostgresUrl(dbFile)) {
    throw new ShomeiError('invalid_request', 'on PostgreSQL the issuer needs a data folder for working files (--data)');
  }
  return dirname(dbFile);
}

/** `https://issuer.example/` → `https://issuer.example`; refuses anything but a plain http(s) URL. */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ShomeiError('invalid_request', 'the public URL is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ShomeiError('invalid_request', 'the public URL must be http or https');
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ShomeiError('invalid_request', 'the public URL must not carry a query, fragment or credentials');
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
