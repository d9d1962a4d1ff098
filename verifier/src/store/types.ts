import type { VaultStorage } from '@shomei/shared';

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
  /** Where completion webhooks go (https, or http on loopback); null for none. */
  webhookUrl?: string | null;
  /** The HMAC secret of the webhooks, sealed under the vault key. */
  sealedWebhookSecret?: string | null;
  /** How many days evidence records (and request results) are kept (default 90). */
  retentionDays?: number;
  /** Whether evidence records keep claim values (sealed), or only claim names (default). */
  keepValues?: boolean;
  /** When `client revoke` stopped the client; a revoked client is never found by its key. */
  revokedAt?: number | null;
  /** When `client rotate-key` last replaced the key. */
  keyRotatedAt?: number | null;
}

export interface ClientStore {
  insert(client: ClientRow): Promise<void>;
  get(id: string): Promise<ClientRow | undefined>;
  /** The client holding this key, unless it is revoked. */
  findByKeyHash(keyHash: string): Promise<ClientRow | undefined>;
  list(): Promise<ClientRow[]>;
  update(
    id: string,
    fields: Partial<Pick<ClientRow, 'webhookUrl' | 'sealedWebhookSecret' | 'retentionDays' | 'keepValues'>>,
  ): Promise<void>;
  /** Replaces the key hash of an unrevoked client; false when there is none. The old key stops at once. */
  replaceKeyHash(id: string, keyHash: string, now: number): Promise<boolean>;
  /** Marks the client revoked (its key is no longer found); false when already revoked or unknown. */
  revoke(id: string, now: number): Promise<boolean>;
}

/** A signed-in front desk. The cookie carries the random id; only its SHA-256 (`idHash`) is stored. */
export interface FrontDeskSessionRow {
  idHash: string;
  clientId: string;
  createdAt: number;
  expiresAt: number;
}

export interface FrontDeskSessionStore {
  insert(row: FrontDeskSessionRow): Promise<void>;
  /** The session, if it exists, has not expired at `now` and its client is not revoked. */
  findLive(idHash: string, now: number): Promise<FrontDeskSessionRow | undefined>;
  delete(idHash: string): Promise<void>;
  /** Ends every session of a client (key rotated or revoked); returns how many. */
  deleteForClient(clientId: string): Promise<number>;
  /** Deletes expired rows; returns how many. */
  purgeExpired(now: number): Promise<number>;
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
  /** Mode, optional claims and assurance/age limits (JSON of RequestPolicy). */
  policy?: string | null;
  /** Match mode: the business's record, sealed; cleared once matched. */
  sealedRecord?: string | null;
}

export interface PresentationRequestStore {
  insert(row: PresentationRequestRow): Promise<void>;
  get(id: string): Promise<PresentationRequestRow | undefined>;
  /**
   * Atomically moves a pending, unexpired request to `processing`. Returns false when another
   * response claimed it first or it has expired: exactly one response per request wins. With
   * `staleBefore`, a `processing` claim made at or before it (its process died mid-verification) is
   * taken over, so that a crash never leaves a request unanswerable.
   */
  claim(id: string, now: number, staleBefore?: number): Promise<boolean>;
  /**
   * Records the outcome of the claim made at `claimedAt` (when given: a claim taken over since is not
   * overwritten, and false is returned) together with its evidence record, in one transaction.
   */
  complete(
    id: string,
    outcome: { status: 'accepted' | 'rejected'; sealedResult: string; completedAt: number; claimedAt?: number; evidence?: EvidenceRow },
  ): Promise<boolean | undefined>;
  /** Requests of a client, newest first (for the front desk). */
  listForClient(clientId: string, limit: number): Promise<PresentationRequestRow[]>;
}

/** An evidence record (証跡) of one verification. Claim values only in `sealedValues`, and only if the business keeps them. */
export interface EvidenceRow {
  id: string;
  clientId: string;
  /** The presentation request answered, or null for a stateless check. */
  requestId: string | null;
  kind: 'oid4vp' | 'verify';
  createdAt: number;
  /** When the purge job deletes it (createdAt + the client's retention). */
  purgeAt: number;
  /** JSON: request (preset, claims, purpose) and policy. */
  request: string;
  /** JSON: the verification result without claim values. */
  result: string;
  /** SHA-256 (base64url) of the presentation as received. */
  presentationHash: string;
  /** Dotted names of the disclosed claims. */
  disclosedNames: string[];
  sealedValues: string | null;
}

export interface EvidenceStore {
  insertMany(rows: readonly EvidenceRow[]): Promise<void>;
  listForClient(clientId: string, limit: number): Promise<EvidenceRow[]>;
  /** Deletes records past their purge time and clears request results past the client's retention; returns counts. */
  purge(now: number): Promise<{ evidence: number; requestResults: number }>;
}

/** Service-wide values every instance shares (sealed when secret). */
export interface SettingsStore {
  get(name: string): Promise<string | undefined>;
  /** Stores `value` unless the name is taken; returns the value that is stored (the first writer wins). */
  putIfAbsent(name: string, value: string): Promise<string>;
}

export interface VerifierStore {
  /** The key vault's rows, in the same database: open the vault on it (`KeyVault.open(store.vault, secret)`). */
  vault: VaultStorage;
  clients: ClientStore;
  settings: SettingsStore;
  requests: PresentationRequestStore;
  evidence: EvidenceStore;
  sessions: FrontDeskSessionStore;
  close(): Promise<void>;
}
