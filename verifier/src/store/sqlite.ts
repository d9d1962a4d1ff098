import { type Db, openDatabase } from '@shomei/shared';
import { allVerifierMigrations } from './migrations.js';
import type {
  ClientRow,
  ClientStore,
  PresentationRequestRow,
  PresentationRequestStore,
  StoredRequestStatus,
  VerifierStore,
} from './types.js';

interface ClientRecord {
  id: string;
  name: string;
  key_hash: string;
  created_at: number;
}

const toClient = (r: ClientRecord): ClientRow => ({ id: r.id, name: r.name, keyHash: r.key_hash, createdAt: r.created_at });

export class SqliteClientStore implements ClientStore {
  constructor(private readonly db: Db) {}

  async insert(c: ClientRow): Promise<void> {
    this.db.prepare('INSERT INTO clients (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)').run(c.id, c.name, c.keyHash, c.createdAt);
  }

  async get(id: string): Promise<ClientRow | undefined> {
    const r = this.db.prepare('SELECT * FROM clients WHERE id = ?').get(id) as ClientRecord | undefined;
    return r && toClient(r);
  }

  async findByKeyHash(keyHash: string): Promise<ClientRow | undefined> {
    const r = this.db.prepare('SELECT * FROM clients WHERE key_hash = ?').get(keyHash) as ClientRecord | undefined;
    return r && toClient(r);
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
});

export class SqlitePresentationRequestStore implements PresentationRequestStore {
  constructor(private readonly db: Db) {}

  async insert(r: PresentationRequestRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO presentation_requests
           (id, client_id, preset, paths, purpose, nonce, state, status, created_at, expires_at, completed_at, sealed_result)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      );
  }

  async get(id: string): Promise<PresentationRequestRow | undefined> {
    const r = this.db.prepare('SELECT * FROM presentation_requests WHERE id = ?').get(id) as RequestRecord | undefined;
    return r && toRequest(r);
  }

  async claim(id: string, now: number): Promise<boolean> {
    const res = this.db
      .prepare("UPDATE presentation_requests SET status = 'processing' WHERE id = ? AND status = 'pending' AND expires_at > ?")
      .run(id, now);
    return res.changes === 1;
  }

  async complete(id: string, o: { status: 'accepted' | 'rejected'; sealedResult: string; completedAt: number }): Promise<void> {
    this.db
      .prepare("UPDATE presentation_requests SET status = ?, sealed_result = ?, completed_at = ? WHERE id = ? AND status = 'processing'")
      .run(o.status, o.sealedResult, o.completedAt, id);
  }
}

/** Opens (creating and migrating) the verifier's SQLite file; `:memory:` for tests. */
export function openSqliteVerifierStore(file: string): VerifierStore & { db: Db } {
  const db = openDatabase(file, allVerifierMigrations);
  return {
    db,
    clients: new SqliteClientStore(db),
    requests: new SqlitePresentationRequestStore(db),
    close: () => db.close(),
  };
}
