import { ShomeiError, type SigningKey, type SqlExecutor, STATUS, StatusList, signStatusListToken } from '@shomei/shared';
import { type CredentialStatus, findCredential, updateCredentialStatus } from '../store/credentials.js';
import { ensureStatusList, findStatusList, findStatusListForUpdate, saveStatusList, statusListVersion } from '../store/status-lists.js';

/** The one list every credential is put on, for now. */
export const STATUS_LIST_ID = '1';
const BITS = 2;

const STATUS_VALUES: Record<CredentialStatus, number> = {
  valid: STATUS.VALID,
  revoked: STATUS.INVALID,
  suspended: STATUS.SUSPENDED,
};

export interface StatusListsOptions {
  sql: SqlExecutor;
  baseUrl: string;
  key: SigningKey;
  now: () => Date;
  size: number;
  ttlSeconds: number;
  validitySeconds: number;
}

interface CachedToken {
  token: string;
  version: number;
  issuedAt: number;
}

/**
 * The status lists: created, set and published as signed status list tokens (indexes are handed
 * out by StatusIndexAllocator, status/allocator.ts). A token is cached and signed again
 * only when its list changed (its version in the database moved) or it is half-way to expiry;
 * the version lives in the database so that a second instance sees another's changes.
 */
export class StatusLists {
  private readonly cache = new Map<string, CachedToken>();

  private constructor(private readonly options: StatusListsOptions) {}

  /** The status lists, creating the online list on first start (harmless when another replica already did). */
  static async open(options: StatusListsOptions): Promise<StatusLists> {
    const empty = StatusList.empty(options.size, BITS);
    await ensureStatusList(options.sql, {
      id: STATUS_LIST_ID,
      bits: BITS,
      size: options.size,
      list: Buffer.from(empty.bytes),
      updated_at: options.now().getTime(),
    });
    return new StatusLists(options);
  }

  uri(listId: string = STATUS_LIST_ID): string {
    return `${this.options.baseUrl}/status-lists/${listId}`;
  }

  /** The signed status list token, re-signed only when needed. */
  async token(listId: string): Promise<string> {
    const { sql, key, now, ttlSeconds, validitySeconds } = this.options;
    const version = await statusListVersion(sql, listId);
    if (version === undefined) throw new ShomeiError('not_found', 'no such status list');
    const at = now().getTime();
    const cached = this.cache.get(listId);
    if (cached && cached.version === version && at - cached.issuedAt < (validitySeconds * 1000) / 2) return cached.token;
    const row = await findStatusList(sql, listId);
    if (!row) throw new ShomeiError('not_found', 'no such status list');
    const token = signStatusListToken({
      issuer: this.options.baseUrl,
      uri: this.uri(listId),
      list: new StatusList(row.bits, new Uint8Array(row.list)),
      issuedAt: new Date(at),
      ttl: ttlSeconds,
      validFor: validitySeconds,
      key: key.privateKey,
      kid: key.kid,
    });
    this.cache.set(listId, { token, version: row.version, issuedAt: at });
    return token;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /**
   * Sets a credential's status in its list and on its row, in one transaction (the caller's when
   * it passes one), the list's row locked for the read-modify-write of its bitmap.
   */
  async setCredentialStatus(credentialId: string, status: CredentialStatus, sql: SqlExecutor = this.options.sql): Promise<void> {
    const { now } = this.options;
    const value = STATUS_VALUES[status];
    if (value === undefined) throw new ShomeiError('invalid_request', 'status must be valid, revoked or suspended');
    return sql.transaction(async (tx) => {
      const credential = await findCredential(tx, credentialId);
      if (!credential) throw new ShomeiError('not_found', 'no such credential');
      const row = await findStatusListForUpdate(tx, credential.status_list_id);
      if (!row) throw new ShomeiError('internal', 'the credential refers to a missing status list');
      const list = new StatusList(row.bits, new Uint8Array(row.list));
      if (list.get(credential.status_idx) !== value) {
        list.set(credential.status_idx, value);
        await saveStatusList(tx, row.id, list.bytes, now().getTime());
      }
      await updateCredentialStatus(tx, credentialId, status);
    });
  }
}
