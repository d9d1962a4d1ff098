import { randomBytes } from 'node:crypto';
import { type Db, isShomeiError, type KeyVault, ShomeiError } from '@shomei/shared';

/** What the wallet knows about a credential without unsealing it. */
export interface CredentialRecord {
  id: string;
  format: string;
  issuer: string;
  issuerName: string | null;
  vct: string;
  assuranceLevel: string | null;
  sandbox: boolean;
  /** The vault key the credential is bound to (its `cnf.jwk`). */
  holderKid: string;
  issuedAt: string | null;
  expiresAt: string | null;
  receivedAt: string;
  /** Copies of one credential from one batch issuance share this id (the first copy's id). */
  batchId: string;
}

export type NewCredential = Omit<CredentialRecord, 'id' | 'batchId'> & { batchId?: string | undefined };

/** One credential as the person thinks of it: all copies of one issuance. */
export interface CredentialBatch {
  id: string;
  /** The first copy: every copy carries the same issuer, type, level and validity. */
  record: CredentialRecord;
  copies: CredentialRecord[];
  /** Copies never shown to any verifier. */
  unused: number;
  batchSize: number;
  configurationId: string | null;
}

interface Row {
  id: string;
  format: string;
  issuer: string;
  issuer_name: string | null;
  vct: string;
  assurance_level: string | null;
  sandbox: number;
  holder_kid: string;
  issued_at: string | null;
  expires_at: string | null;
  received_at: string;
  batch_id: string | null;
}

const COLUMNS = 'id, format, issuer, issuer_name, vct, assurance_level, sandbox, holder_kid, issued_at, expires_at, received_at, batch_id';

function toRecord(r: Row): CredentialRecord {
  return {
    id: r.id,
    format: r.format,
    issuer: r.issuer,
    issuerName: r.issuer_name,
    vct: r.vct,
    assuranceLevel: r.assurance_level,
    sandbox: r.sandbox === 1,
    holderKid: r.holder_kid,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    receivedAt: r.received_at,
    batchId: r.batch_id ?? r.id,
  };
}

/**
 * Credentials in the wallet file. The compact credential is sealed with the vault (AES-GCM under
 * the passphrase-derived key) and the row id as associated data, so a sealed value moved to
 * another row does not open.
 */
export class CredentialRepository {
  constructor(
    private readonly db: Db,
    private readonly vault: Pick<KeyVault, 'seal' | 'unseal'>,
  ) {}

  /** Stores a credential under a fresh short id (or `options.id`) and returns the id. */
  insert(meta: NewCredential, compact: string, options: { id?: string } = {}): string {
    const exists = this.db.prepare('SELECT 1 FROM credentials WHERE id = ?');
    let id = options.id ?? newId();
    if (options.id === undefined) while (exists.get(id)) id = newId();
    this.db
      .prepare(
        `INSERT INTO credentials (${COLUMNS}, sealed) VALUES (@id, @format, @issuer, @issuer_name, @vct, @assurance_level, @sandbox, @holder_kid, @issued_at, @expires_at, @received_at, @batch_id, @sealed)`,
      )
      .run({
        id,
        format: meta.format,
        issuer: meta.issuer,
        issuer_name: meta.issuerName,
        vct: meta.vct,
        assurance_level: meta.assuranceLevel,
        sandbox: meta.sandbox ? 1 : 0,
        holder_kid: meta.holderKid,
        issued_at: meta.issuedAt,
        expires_at: meta.expiresAt,
        received_at: meta.receivedAt,
        batch_id: meta.batchId ?? id,
        sealed: this.vault.seal(compact, id),
      });
    return id;
  }

  /** Newest first (by issuance, then by arrival). */
  list(): CredentialRecord[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM credentials ORDER BY COALESCE(issued_at, received_at) DESC, received_at DESC, id`)
      .all() as Row[];
    return rows.map(toRecord);
  }

  /** Records the batch a set of copies came from (its size, and a sealed refresh token if any). */
  recordBatch(batchId: string, input: { configurationId: string | null; batchSize: number; refreshToken?: string | undefined }): void {
    this.db
      .prepare('INSERT OR REPLACE INTO credential_batches (batch_id, configuration_id, batch_size, sealed_refresh) VALUES (?, ?, ?, ?)')
      .run(
        batchId,
        input.configurationId,
        input.batchSize,
        input.refreshToken === undefined ? null : this.vault.seal(input.refreshToken, `refresh:${batchId}`),
      );
  }

  /** The refresh token the issuer gave with this batch, if any. */
  refreshToken(batchId: string): string | undefined {
    const row = this.db.prepare('SELECT sealed_refresh FROM credential_batches WHERE batch_id = ?').get(batchId) as
      | { sealed_refresh: string | null }
      | undefined;
    return row?.sealed_refresh ? this.vault.unseal(row.sealed_refresh, `refresh:${batchId}`) : undefined;
  }

  /** Credentials grouped by batch, newest first; `unused` counts copies no verifier has seen. */
  batches(): CredentialBatch[] {
    const used = new Set(
      (
        this.db.prepare('SELECT DISTINCT credential_id FROM presentations WHERE credential_id IS NOT NULL').all() as {
          credential_id: string;
        }[]
      ).map((r) => r.credential_id),
    );
    const meta = new Map(
      (
        this.db.prepare('SELECT batch_id, configuration_id, batch_size FROM credential_batches').all() as {
          batch_id: string;
          configuration_id: string | null;
          batch_size: number;
        }[]
      ).map((r) => [r.batch_id, r]),
    );
    const groups = new Map<string, CredentialRecord[]>();
    for (const r of this.list()) {
      const g = groups.get(r.batchId);
      if (g) g.push(r);
      else groups.set(r.batchId, [r]);
    }
    return [...groups.entries()].map(([id, copies]) => {
      const first = copies.find((c) => c.id === id) ?? (copies[0] as CredentialRecord);
      const m = meta.get(id);
      return {
        id,
        record: first,
        copies,
        unused: copies.filter((c) => !used.has(c.id)).length,
        batchSize: m?.batch_size ?? copies.length,
        configurationId: m?.configuration_id ?? null,
      };
    });
  }

  /** A batch by its id, or the batch holding the copy with this id. */
  batch(id: string): CredentialBatch | undefined {
    const all = this.batches();
    return all.find((b) => b.id === id) ?? all.find((b) => b.copies.some((c) => c.id === id));
  }

  get(id: string): CredentialRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM credentials WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The credential exactly as issued. */
  compact(id: string): string | undefined {
    const row = this.db.prepare('SELECT sealed FROM credentials WHERE id = ?').get(id) as { sealed: string } | undefined;
    if (!row) return undefined;
    try {
      return this.vault.unseal(row.sealed, id);
    } catch (cause) {
      // The vault opened, so the passphrase is right: this value was altered or moved.
      if (isShomeiError(cause, 'wrong_passphrase')) {
        throw new ShomeiError('malformed', `the wallet file is damaged: credential ${id} cannot be decrypted`, { cause });
      }
      throw cause;
    }
  }
}

function newId(): string {
  return randomBytes(4).toString('hex');
}
