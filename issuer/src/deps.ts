import { dirname, join } from 'node:path';
import { type Db, isPostgresUrl, KeyVault, openDatabase, ShomeiError, type SqlDatabase, SqliteDatabase } from '@shomei/shared';
import { type AuditSink, appendAudit } from './audit/audit-log.js';
import { type IssuerKeys, loadIssuerKeys } from './keys.js';
import type { ProofingConfig } from './proofing/config.js';
import { DEFAULT_SETTINGS, type IssuerSettings } from './settings.js';
import { StatusLists } from './status/status-lists.js';
import { issuerMigrations } from './store/migrations.js';

export type SandboxConfig = { enabled: false } | { enabled: true; adminToken: string };

/** One log line; callers never pass a token, key, passphrase or personal value. */
export type Logger = (line: string) => void;

/** Everything the issuer's HTTP app and functions work with, passed in (tests build their own). */
export interface IssuerDeps {
  /** Public base URL without a trailing slash: the credential issuer identifier and `iss`. */
  baseUrl: string;
  /**
   * The synchronous SQLite connection. Being replaced, module by module, by `sql` (issue 16): new
   * and converted code uses `sql` only; once nothing reads `db`, it goes.
   */
  db: Db;
  /** The database port (SQLite now; PostgreSQL with `--database postgres://…`): what stores take. */
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
  /** The folder of the database file: uploaded batch files and other working files live under it. */
  dataDir: string;
}

export interface OpenIssuerOptions {
  /** SQLite file (created and migrated if needed), or ':memory:'. */
  dbFile: string;
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
  if (isPostgresUrl(options.dbFile)) {
    // Wired once every store runs on the port (issue 16, in progress on this branch of work).
    throw new ShomeiError('invalid_request', 'the issuer cannot run on PostgreSQL yet');
  }
  const db = openDatabase(options.dbFile, issuerMigrations);
  try {
    // The same connection as `db`: one transaction state, so converted and unconverted code mix safely.
    const sql = new SqliteDatabase(db, false);
    const vault = await KeyVault.open(sql, options.secret);
    const keys = await loadIssuerKeys(vault);
    const dataDir = options.dbFile === ':memory:' ? '.' : dirname(options.dbFile);
    const now = options.now ?? (() => new Date());
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const baseUrl = normalizeBaseUrl(options.baseUrl);
    const statusLists = new StatusLists({
      db,
      baseUrl,
      key: keys.current,
      now,
      size: settings.statusListSize,
      ttlSeconds: settings.statusListTtlSeconds,
      validitySeconds: settings.statusListValiditySeconds,
    });
    return {
      baseUrl,
      db,
      sql,
      vault,
      keys,
      statusLists,
      now,
      sandbox: options.sandbox ?? { enabled: false },
      settings,
      log: options.log ?? ((line) => console.log(line)),
      audit: (event) => {
        appendAudit(db, now, event);
      },
      proofing: {
        jpki: options.proofing?.jpki,
        upstreams: options.proofing?.upstreams ?? [],
        uploadsDir: options.proofing?.uploadsDir ?? join(dataDir, 'uploads'),
      },
      dataDir,
    };
  } catch (e) {
    db.close();
    throw e;
  }
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
