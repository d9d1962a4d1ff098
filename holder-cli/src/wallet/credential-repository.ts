import { randomBytes } from 'node:crypto';
import type { Db, KeyVault } from '@shomei/shared';

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
}

export type NewCredential = Omit<CredentialRecord, 'id'>;

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
}

const COLUMNS = 'id, format, issuer, issuer_name, vct, assurance_level, sandbox, holder_kid, issued_at, expires_at, received_at';

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

  /** Stores a credential under a fresh short id and returns the id. */
  insert(meta: NewCredential, compact: string): string {
    const exists = this.db.prepare('SELECT 1 FROM credentials WHERE id = ?');
    let id = newId();
    while (exists.get(id)) id = newId();
    this.db
      .prepare(
        `INSERT INTO credentials (${COLUMNS}, sealed) VALUES (@id, @format, @issuer, @issuer_name, @vct, @assurance_level, @sandbox, @holder_kid, @issued_at, @expires_at, @received_at, @sealed)`,
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

  get(id: string): CredentialRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM credentials WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The credential exactly as issued. */
  compact(id: string): string | undefined {
    const row = this.db.prepare('SELECT sealed FROM credentials WHERE id = ?').get(id) as { sealed: string } | undefined;
    return row ? this.vault.unseal(row.sealed, id) : undefined;
  }
}

function newId(): string {
  return randomBytes(4).toString('hex');
}
