import {
  type Db as Database,
  openDatabase,
  openServiceDatabase,
  type SqlDatabase,
  type SqlExecutor,
  SqliteDatabase,
  type SqlValue,
  SqlVaultStorage,
} from '@shomei/shared';
import { allVerifierMigrations, verifierPostgresMigrations } from './migrations.js';
import type {
  ClientRow,
  ClientStore,
  EvidenceRow,
  EvidenceStore,
  FrontDeskSessionRow,
  FrontDeskSessionStore,
  PresentationRequestRow,
  PresentationRequestStore,
  SettingsStore,
  StoredRequestStatus,
  VerifierStore,
} from './types.js';

interface ClientRecord {
  id: string;
  name: string;
  key_hash: string;
  created_at: number;
  webhook_url: string | null;
  sealed_webhook_secret: string | null;
  retention_days: number;
  keep_values: number;
  revoked_at: number | null;
  key_rotated_at: number | null;
}

const toClient = (r: ClientRecord): ClientRow => ({
  id: r.id,
  name: r.name,
  keyHash: r.key_hash,
  createdAt: r.created_at,
  webhookUrl: r.webhook_url,
  sealedWebhookSecret: r.sealed_webhook_secret,
  retentionDays: r.retention_days,
  keepValues: r.keep_values === 1,
  revokedAt: r.revoked_at,
  keyRotatedAt: r.key_rotated_at,
});

export class SqlClientStore implements ClientStore {
  constructor(private readonly db: SqlExecutor) {}

  async insert(c: ClientRow): Promise<void> {
    await this.db.run(
      `INSERT INTO clients (id, name, key_hash, created_at, webhook_url, sealed_webhook_secret, retention_days, keep_values)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c.id,
        c.name,
        c.keyHash,
        c.createdAt,
        c.webhookUrl ?? null,
        c.sealedWebhookSecret ?? null,
        c.retentionDays ?? 90,
        c.keepValues ? 1 : 0,
      ],
    );
  }

  async update(
    id: string,
    f: Partial<Pick<ClientRow, 'webhookUrl' | 'sealedWebhookSecret' | 'retentionDays' | 'keepValues'>>,
  ): Promise<void> {
    const cols: Record<string, SqlValue> = {};
    if (f.webhookUrl !== undefined) cols.webhook_url = f.webhookUrl;
    if (f.sealedWebhookSecret !== undefined) cols.sealed_webhook_secret = f.sealedWebhookSecret;
    if (f.retentionDays !== undefined) cols.retention_days = f.retentionDays;
    if (f.keepValues !== undefined) cols.keep_values = f.keepValues ? 1 : 0;
    const names = Object.keys(cols);
    if (names.length === 0) return;
    await this.db.run(`UPDATE clients SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`, [...Object.values(cols), id]);
  }

  async get(id: string): Promise<ClientRow | undefined> {
    const r = await this.db.get<ClientRecord>('SELECT * FROM clients WHERE id = ?', [id]);
    return r && toClient(r);
  }

  async findByKeyHash(keyHash: string): Promise<ClientRow | undefined> {
    const r = await this.db.get<ClientRecord>('SELECT * FROM clients WHERE key_hash = ? AND revoked_at IS NULL', [keyHash]);
    return r && toClient(r);
  }

  async replaceKeyHash(id: string, keyHash: string, now: number): Promise<boolean> {
    return (
      (await this.db.run('UPDATE clients SET key_hash = ?, key_rotated_at = ? WHERE id = ? AND revoked_at IS NULL', [keyHash, now, id]))
        .changes === 1
    );
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id])).changes === 1;
  }

  async list(): Promise<ClientRow[]> {
    return (await this.db.all<ClientRecord>('SELECT * FROM clients ORDER BY created_at, id')).map(toClient);
  }
}

interface RequestRecord {
  id: string;
  client_id: string;
  preset: string | null;
  paths: string;
  purpose: string;
  nonce: string;
  state: string;
  status: StoredRequestStatus;
  created_at: number;
  expires_at: number;
  completed_at: number | null;
  sealed_result: string | null;
  policy: string | null;
  sealed_record: string | null;
}

const toRequest = (r: RequestRecord): PresentationRequestRow => ({
  id: r.id,
  clientId: r.client_id,
  preset: r.preset,
  paths: JSON.parse(r.paths) as string[][],
  purpose: r.purpose,
  nonce: r.nonce,
  state: r.state,
  status: r.status,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  completedAt: r.completed_at,
  sealedResult: r.sealed_result,
  policy: r.policy,
  sealedRecord: r.sealed_record,
});

export class SqlPresentationRequestStore implements PresentationRequestStore {
  constructor(private readonly db: SqlExecutor) {}

  async insert(r: PresentationRequestRow): Promise<void> {
    await this.db.run(
      `INSERT INTO presentation_requests
         (id, client_id, preset, paths, purpose, nonce, state, status, created_at, expires_at, completed_at, sealed_result,
          policy, sealed_record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        r.id,
        r.clientId,
        r.preset,
        JSON.stringify(r.paths),
        r.purpose,
        r.nonce,
        r.state,
        r.status,
        r.createdAt,
        r.expiresAt,
        r.completedAt,
        r.sealedResult,
        r.policy ?? null,
        r.sealedRecord ?? null,
      ],
    );
  }

  async get(id: string): Promise<PresentationRequestRow | undefined> {
    const r = await this.db.get<RequestRecord>('SELECT * FROM presentation_requests WHERE id = ?', [id]);
    return r && toRequest(r);
  }

  async claim(id: string, now: number, staleBefore?: number): Promise<boolean> {
    // One statement: across replicas, exactly one response moves a request out of `pending`. The
    // CAST gives PostgreSQL the parameter's type where nothing else in the expression does.
    const stale = staleBefore ?? null;
    const res = await this.db.run(
      `UPDATE presentation_requests SET status = 'processing', claimed_at = ?
       WHERE id = ? AND expires_at > ?
         AND (status = 'pending' OR (status = 'processing' AND CAST(? AS BIGINT) IS NOT NULL AND (claimed_at IS NULL OR claimed_at <= ?)))`,
      [now, id, now, stale, stale],
    );
    return res.changes === 1;
  }

  async complete(
    id: string,
    o: { status: 'accepted' | 'rejected'; sealedResult: string; completedAt: number; claimedAt?: number; evidence?: EvidenceRow },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const res = await tx.run(
        `UPDATE presentation_requests SET status = ?, sealed_result = ?, completed_at = ?, sealed_record = NULL
         WHERE id = ? AND status = 'processing' AND (CAST(? AS BIGINT) IS NULL OR claimed_at = ?)`,
        [o.status, o.sealedResult, o.completedAt, id, o.claimedAt ?? null, o.claimedAt ?? null],
      );
      if (res.changes !== 1) return false;
      if (o.evidence) await insertEvidence(tx, [o.evidence]);
      return true;
    });
  }

  async listForClient(clientId: string, limit: number): Promise<PresentationRequestRow[]> {
    const rows = await this.db.all<RequestRecord>(
      'SELECT * FROM presentation_requests WHERE client_id = ? ORDER BY created_at DESC, id LIMIT ?',
      [clientId, limit],
    );
    return rows.map(toRequest);
  }
}

interface EvidenceRecord {
  id: string;
  client_id: string;
  request_id: string | null;
  kind: 'oid4vp' | 'verify';
  created_at: number;
  purge_at: number;
  request: string;
  result: string;
  presentation_hash: string;
  disclosed_names: string;
  sealed_values: string | null;
}

const toEvidence = (r: EvidenceRecord): EvidenceRow => ({
  id: r.id,
  clientId: r.client_id,
  requestId: r.request_id,
  kind: r.kind,
  createdAt: r.created_at,
  purgeAt: r.purge_at,
  request: r.request,
  result: r.result,
  presentationHash: r.presentation_hash,
  disclosedNames: JSON.parse(r.disclosed_names) as string[],
  sealedValues: r.sealed_values,
});

async function insertEvidence(db: SqlExecutor, rows: readonly EvidenceRow[]): Promise<void> {
  for (const e of rows) {
    await db.run(
      `INSERT INTO evidence (id, client_id, request_id, kind, created_at, purge_at, request, result, presentation_hash, disclosed_names, sealed_values)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        e.id,
        e.clientId,
        e.requestId,
        e.kind,
        e.createdAt,
        e.purgeAt,
        e.request,
        e.result,
        e.presentationHash,
        JSON.stringify(e.disclosedNames),
        e.sealedValues,
      ],
    );
  }
}

export class SqlEvidenceStore implements EvidenceStore {
  constructor(private readonly db: SqlExecutor) {}

  async insertMany(rows: readonly EvidenceRow[]): Promise<void> {
    await this.db.transaction((tx) => insertEvidence(tx, rows));
  }

  async listForClient(clientId: string, limit: number): Promise<EvidenceRow[]> {
    const rows = await this.db.all<EvidenceRecord>('SELECT * FROM evidence WHERE client_id = ? ORDER BY created_at DESC, id LIMIT ?', [
      clientId,
      limit,
    ]);
    return rows.map(toEvidence);
  }

  async purge(now: number): Promise<{ evidence: number; requestResults: number }> {
    // Days in milliseconds as BIGINT: PostgreSQL multiplies two integers in 32 bits, and 90 days overflow them.
    return this.db.transaction(async (tx) => {
      const evidence = (await tx.run('DELETE FROM evidence WHERE purge_at <= ?', [now])).changes;
      const requestResults = (
        await tx.run(
          `UPDATE presentation_requests SET sealed_result = NULL, sealed_record = NULL
           WHERE (sealed_result IS NOT NULL OR sealed_record IS NOT NULL)
             AND created_at + (SELECT retention_days FROM clients WHERE clients.id = presentation_requests.client_id) * CAST(86400000 AS BIGINT) <= ?`,
          [now],
        )
      ).changes;
      return { evidence, requestResults };
    });
  }
}

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly db: SqlExecutor) {}

  async get(name: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM verifier_settings WHERE name = ?', [name]))?.value;
  }

  async putIfAbsent(name: string, value: string): Promise<string> {
    await this.db.run('INSERT INTO verifier_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.get(name)) as string;
  }
}

interface SessionRecord {
  id_hash: string;
  client_id: string;
  created_at: number;
  expires_at: number;
}

export class SqlFrontDeskSessionStore implements FrontDeskSessionStore {
  constructor(private readonly db: SqlExecutor) {}

  async insert(r: FrontDeskSessionRow): Promise<void> {
    await this.db.run('INSERT INTO frontdesk_sessions (id_hash, client_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
      r.idHash,
      r.clientId,
      r.createdAt,
      r.expiresAt,
    ]);
  }

  async findLive(idHash: string, now: number): Promise<FrontDeskSessionRow | undefined> {
    // Joined with the client so that a revocation ends its sessions even before their rows are deleted.
    const r = await this.db.get<SessionRecord>(
      `SELECT s.* FROM frontdesk_sessions s JOIN clients c ON c.id = s.client_id
       WHERE s.id_hash = ? AND s.expires_at > ? AND c.revoked_at IS NULL`,
      [idHash, now],
    );
    return r && { idHash: r.id_hash, clientId: r.client_id, createdAt: r.created_at, expiresAt: r.expires_at };
  }

  async delete(idHash: string): Promise<void> {
    await this.db.run('DELETE FROM frontdesk_sessions WHERE id_hash = ?', [idHash]);
  }

  async deleteForClient(clientId: string): Promise<number> {
    return (await this.db.run('DELETE FROM frontdesk_sessions WHERE client_id = ?', [clientId])).changes;
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run('DELETE FROM frontdesk_sessions WHERE expires_at <= ?', [now])).changes;
  }
}

/** The verifier's stores over one database (SQLite or PostgreSQL: the same SQL serves both). */
export function verifierStoreOn(db: SqlDatabase): VerifierStore & { sql: SqlDatabase } {
  return {
    sql: db,
    vault: new SqlVaultStorage(db),
    clients: new SqlClientStore(db),
    settings: new SqlSettingsStore(db),
    requests: new SqlPresentationRequestStore(db),
    evidence: new SqlEvidenceStore(db),
    sessions: new SqlFrontDeskSessionStore(db),
    close: () => db.close(),
  };
}

/**
 * Opens the verifier's database: a `postgres://` URL (replicas share it; migrated under an advisory
 * lock) or a SQLite file, created and migrated; `:memory:` for tests.
 */
export async function openVerifierStore(target: string): Promise<VerifierStore & { sql: SqlDatabase }> {
  return verifierStoreOn(await openServiceDatabase(target, { sqlite: allVerifierMigrations, postgres: verifierPostgresMigrations }));
}

/**
 * The SQLite file (or `:memory:`), synchronously, with its raw connection (`db`) for tests that
 * look at the bytes at rest; the service reaches its rows only through the stores.
 */
export function openSqliteVerifierStore(file: string): VerifierStore & { sql: SqlDatabase; db: Database } {
  const sqlite = new SqliteDatabase(openDatabase(file, allVerifierMigrations));
  return { ...verifierStoreOn(sqlite), db: sqlite.connection };
}
