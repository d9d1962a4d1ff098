import { randomBytes } from 'node:crypto';
import type { Db, KeyVault } from '@shomei/shared';

export type PresentationOutcome = 'accepted' | 'rejected' | 'declined' | 'failed';

/** One answer to a verifier, as kept in the wallet's history. */
export interface HistoryEntry {
  id: string;
  createdAt: string;
  /** The copy shown (null when the person declined: nothing was shown). */
  credentialId: string | null;
  batchId: string | null;
  clientId: string;
  verifierName: string | null;
  purpose: string | null;
  outcome: PresentationOutcome;
  /** What the verifier answered, when it said (`accepted`, `rejected`, an error code…). */
  verifierStatus: string | null;
  /** The claims that left the wallet, as paths. */
  claims: string[][];
  /** Their values, kept sealed like everything else and shown only when asked. */
  values: Record<string, unknown>;
}

export type NewHistoryEntry = Omit<HistoryEntry, 'id'>;

/**
 * What was shared, with whom, when and why. Everything but the time and the copy used is sealed
 * under the passphrase (with the row id as associated data), like the credentials themselves.
 */
export class HistoryRepository {
  constructor(
    private readonly db: Db,
    private readonly vault: Pick<KeyVault, 'seal' | 'unseal'>,
  ) {}

  add(entry: NewHistoryEntry): string {
    const id = randomBytes(6).toString('hex');
    const { createdAt, credentialId, ...rest } = entry;
    this.db
      .prepare('INSERT INTO presentations (id, created_at, credential_id, sealed) VALUES (?, ?, ?, ?)')
      .run(id, createdAt, credentialId, this.vault.seal(JSON.stringify(rest), `presentation:${id}`));
    return id;
  }

  /** Oldest first. */
  list(): HistoryEntry[] {
    const rows = this.db.prepare('SELECT id, created_at, credential_id, sealed FROM presentations ORDER BY created_at, rowid').all() as {
      id: string;
      created_at: string;
      credential_id: string | null;
      sealed: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      credentialId: r.credential_id,
      ...(JSON.parse(this.vault.unseal(r.sealed, `presentation:${r.id}`)) as Omit<HistoryEntry, 'id' | 'createdAt' | 'credentialId'>),
    }));
  }
}
