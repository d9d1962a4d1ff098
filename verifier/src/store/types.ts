/**
 * Repository interfaces of the verifier. Async so that a PostgreSQL backend can implement them
 * unchanged; the SQLite implementation lives in `sqlite.ts`. No per-request state is kept in
 * memory: a second instance behind a load balancer sees the same rows.
 */

export interface ClientRow {
  id: string;
  name: string;
  /** SHA-256 (hex) of the API key; the key itself is never stored. */
  keyHash: string;
  createdAt: number;
}

export interface ClientStore {
  insert(client: ClientRow): Promise<void>;
  get(id: string): Promise<ClientRow | undefined>;
  findByKeyHash(keyHash: string): Promise<ClientRow | undefined>;
  list(): Promise<ClientRow[]>;
}

/** `processing` is internal: a response has claimed the request and is being verified. */
export type StoredRequestStatus = 'pending' | 'processing' | 'accepted' | 'rejected';

export interface PresentationRequestRow {
  id: string;
  clientId: string;
  /** Preset name, or null for a custom claim list. */
  preset: string | null;
  paths: string[][];
  purpose: string;
  nonce: string;
  state: string;
  status: StoredRequestStatus;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
  /** The verification result, sealed under the vault key (it holds personal values). */
  sealedResult: string | null;
}

export interface PresentationRequestStore {
  insert(row: PresentationRequestRow): Promise<void>;
  get(id: string): Promise<PresentationRequestRow | undefined>;
  /**
   * Atomically moves a pending, unexpired request to `processing`. Returns false when another
   * response claimed it first or it has expired: exactly one response per request wins.
   */
  claim(id: string, now: number): Promise<boolean>;
  complete(id: string, outcome: { status: 'accepted' | 'rejected'; sealedResult: string; completedAt: number }): Promise<void>;
}

export interface VerifierStore {
  clients: ClientStore;
  requests: PresentationRequestStore;
  close(): void;
}
