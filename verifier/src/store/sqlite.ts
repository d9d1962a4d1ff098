import { type Db, openDatabase, SqliteVaultStorage } from '@shomei/shared';
import { allVerifierMigrations } from './migrations.js';
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

export class SqliteClientStore implements ClientStore {
  constructor(private readonly db: Db) {}

  async insert(c: ClientRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO clients (id, name, key_hash, created_at, webhook_url, sealed_webhook_secret, retention_days, keep_values)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.name,
        c.keyHash,
        c.createdAt,
        c.webhookUrl ?? null,
        c.sealedWebhookSecret ?? null,
        c.retentionDays ?? 90,
        c.keepValues ? 1 : 0,
      );
  }

  async update(
    id: string,
    f: Partial<Pick<ClientRow, 'webhookUrl' | 'sealedWebhookSecret' | 'retentionDays' | 'keepValues'>>,
  ): Promise<void> {
    const cols: Record<string, unknown> = {};
    if (f.webhookUrl !== undefined) cols.webhook_url = f.webhookUrl;
    if (f.sealedWebhookSecret !== undefined) cols.sealed_webhook_secret = f.sealedWebhookSecret;
    if (f.retentionDays !== undefined) cols.retention_days = f.retentionDays;
    if (f.keepValues !== undefined) cols.keep_values = f.keepValues ? 1 : 0;
    const names = Object.keys(cols);
    if (names.length === 0) return;
    this.db.prepare(`UPDATE clients SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`).run(...Object.values(cols), id);
  }

  async get(id: string): Promise<ClientRow | undefined> {
    const r = this.db.prepare('SELECT * FROM clients WHERE id = ?').get(id) as ClientRecord | undefined;
    return r && toClient(r);
  }

  async findByKeyHash(keyHash: string): Promise<ClientRow | undefined> {
    const r = this.db.prepare('SELECT * FROM clients WHERE key_hash = ? AND revoked_at IS NULL').get(keyHash) as ClientRecord | undefined;
    return r && toClient(r);
  }

  async replaceKeyHash(id: string, keyHash: string, now: number): Promise<boolean> {
    return (
      this.db.prepare('UPDATE clients SET key_hash = ?, key_rotated_at = ? WHERE id = ? AND revoked_at IS NULL').run(keyHash, now, id)
        .changes === 1
    );
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return this.db.prepare('UPDATE clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes === 1;
  }

  async list(): Promise<ClientRow[]> {
    return (this.db.prepare('SELECT * FROM clients ORDER BY created_at, id').all() as ClientRecord[]).map(toClient);
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

export class SqlitePresentationRequestStore implements PresentationRequestStore {
  constructor(private readonly db: Db) {}

  async insert(r: PresentationRequestRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO presentation_requests
           (id, client_id, preset, paths, purpose, nonce, state, status, created_at, expires_at, completed_at, sealed_result,
            policy, sealed_record)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
      );
  }

  async get(id: string): Promise<PresentationRequestRow | undefined> {
    const r = this.db.prepare('SELECT * FROM presentation_requests WHERE id = ?').get(id) as RequestRecord | undefined;
    return r && toRequest(r);
  }

  async claim(id: string, now: number, staleBefore?: number): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE presentation_requests SET status = 'processing', claimed_at = @now
         WHERE id = @id AND expires_at > @now
           AND (status = 'pending' OR (status = 'processing' AND @stale IS NOT NULL AND (claimed_at IS NULL OR claimed_at <= @stale)))`,
      )
      .run({ id, now, stale: staleBefore ?? null });
    return res.changes === 1;
  }

  async complete(
    id: string,
    o: { status: 'accepted' | 'rejected'; sealedResult: string; completedAt: number; claimedAt?: number; evidence?: EvidenceRow },
  ): Promise<boolean> {
    return this.db.transaction(() => {
      const res = this.db
        .prepare(
          `UPDATE presentation_requests SET status = ?, sealed_result = ?, completed_at = ?, sealed_record = NULL
           WHERE id = ? AND status = 'processing' AND (? IS NULL OR claimed_at = ?)`,
        )
        .run(o.status, o.sealedResult, o.completedAt, id, o.claimedAt ?? null, o.claimedAt ?? null);
      if (res.changes !== 1) return false;
      if (o.evidence) insertEvidence(this.db, [o.evidence]);
      return true;
    })();
  }

  async listForClient(clientId: string, limit: number): Promise<PresentationRequestRow[]> {
    const rows = this.db
      .prepare('SELECT * FROM presentation_requests WHERE client_id = ? ORDER BY created_at DESC, id LIMIT ?')
      .all(clientId, limit) as RequestRecord[];
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

function insertEvidence(db: Db, rows: readonly EvidenceRow[]): void {
  const insert = db.prepare(
    `INSERT INTO evidence (id, client_id, request_id, kind, created_at, purge_at, request, result, presentation_hash, disclosed_names, sealed_values)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const e of rows) {
    insert.run(
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
    );
  }
}

export class SqliteEvidenceStore implements EvidenceStore {
  constructor(private readonly db: Db) {}

  async insertMany(rows: readonly EvidenceRow[]): Promise<void> {
    this.db.transaction(() => insertEvidence(this.db, rows))();
  }

  async listForClient(clientId: string, limit: number): Promise<EvidenceRow[]> {
    const rows = this.db
      .prepare('SELECT * FROM evidence WHERE client_id = ? ORDER BY created_at DESC, id LIMIT ?')
      .all(clientId, limit) as EvidenceRecord[];
    return rows.map(toEvidence);
  }

  async purge(now: number): Promise<{ evidence: number; requestResults: number }> {
    return this.db.transaction(() => {
      const evidence = this.db.prepare('DELETE FROM evidence WHERE purge_at <= ?').run(now).changes;
      const requestResults = this.db
        .prepare(
          `UPDATE presentation_requests SET sealed_result = NULL, sealed_record = NULL
           WHERE (sealed_result IS NOT NULL OR sealed_record IS NOT NULL)
             AND created_at + (SELECT retention_days FROM clients WHERE clients.id = presentation_requests.client_id) * 86400000 <= ?`,
        )
        .run(now).changes;
      return { evidence, requestResults };
    })();
  }
}

export class SqliteSettingsStore implements SettingsStore {
  constructor(private readonly db: Db) {}

  async get(name: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT value FROM verifier_settings WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  async putIfAbsent(name: string, value: string): Promise<string> {
    this.db.prepare('INSERT INTO verifier_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, value);
    return (await this.get(name)) as string;
  }
}

interface SessionRecord {
  id_hash: string;
  client_id: string;
  created_at: number;
  expires_at: number;
}

export class SqliteFrontDeskSessionStore implements FrontDeskSessionStore {
  constructor(private readonly db: Db) {}

  async insert(r: FrontDeskSessionRow): Promise<void> {
    this.db
      .prepare('INSERT INTO frontdesk_sessions (id_hash, client_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(r.idHash, r.clientId, r.createdAt, r.expiresAt);
  }

  async findLive(idHash: string, now: number): Promise<FrontDeskSessionRow | undefined> {
    // Joined with the client so that a revocation ends its sessions even before their rows are deleted.
    const r = this.db
      .prepare(
        `SELECT s.* FROM frontdesk_sessions s JOIN clients c ON c.id = s.client_id
         WHERE s.id_hash = ? AND s.expires_at > ? AND c.revoked_at IS NULL`,
      )
      .get(idHash, now) as SessionRecord | undefined;
    return r && { idHash: r.id_hash, clientId: r.client_id, createdAt: r.created_at, expiresAt: r.expires_at };
  }

  async delete(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM frontdesk_sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteForClient(clientId: string): Promise<number> {
    return this.db.prepare('DELETE FROM frontdesk_sessions WHERE client_id = ?').run(clientId).changes;
  }

  async purgeExpired(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM frontdesk_sessions WHERE expires_at <= ?').run(now).changes;
  }
}

/**
 * Opens (creating and migrating) the verifier's SQLite file; `:memory:` for tests. `db` is there
 * for tests that look at the bytes at rest; the service reaches its rows only through the stores
 * (the key vault through `vault`).
 */
export function openSqliteVerifierStore(file: string): VerifierStore & { db: Db } {
  const db = openDatabase(file, allVerifierMigrations);
  return {
    db,
    vault: new SqliteVaultStorage(db),
    clients: new SqliteClientStore(db),
    settings: new SqliteSettingsStore(db),
    requests: new SqlitePresentationRequestStore(db),
    evidence: new SqliteEvidenceStore(db),
    sessions: new SqliteFrontDeskSessionStore(db),
    close: () => db.close(),
  };
}
