import {
  httpFetch,
  type OutboundPolicy,
  type PublicJwk,
  parseJws,
  publicKeyFromJwk,
  ShomeiError,
  STATUS_LIST_TYP,
  StatusList,
  verifyJwsSignature,
} from '@shomei/shared';
import { z } from 'zod';
import { fetchIssuerKeys } from '../oid4vci/issuer-client.js';
import type { CredentialRecord } from '../wallet/credential-repository.js';
import { openCredential } from './claims.js';

/** What `list` and `show` say about a credential. */
export type LiveStatus = 'valid' | 'suspended' | 'revoked' | 'expired' | 'unknown' | 'not_checked';

export interface StatusReport {
  status: LiveStatus;
  /** Why the status is unknown (issuer unreachable, bad list…), for the person. */
  reason?: string | undefined;
}

const referenceSchema = z.object({ status_list: z.object({ idx: z.number().int().nonnegative(), uri: z.url() }) });
const tokenSchema = z.looseObject({
  sub: z.string(),
  exp: z.number().optional(),
  status_list: z.object({ bits: z.number().int(), lst: z.string() }),
});

/** Days before expiry from which list and show warn. */
export const NEAR_EXPIRY_DAYS = 30;

export function daysLeft(record: CredentialRecord, now: Date): number | null {
  return record.expiresAt === null ? null : Math.floor((Date.parse(record.expiresAt) - now.getTime()) / 86_400_000);
}

/**
 * Reads credentials' status from their issuers' Token Status Lists: each list is fetched once,
 * its signature checked against the issuer's published keys (`jwt-vc-issuer`), its `sub` must be
 * the referenced URI. Fetching a whole list tells the issuer nothing about which entry is looked at.
 */
export class StatusChecker {
  private readonly lists = new Map<string, Promise<StatusList>>();
  private readonly keys = new Map<string, Promise<PublicJwk[]>>();

  constructor(
    private readonly now: Date,
    private readonly policy?: OutboundPolicy,
  ) {}

  async check(record: CredentialRecord, compact: string): Promise<StatusReport> {
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= this.now.getTime()) return { status: 'expired' };
    const ref = referenceSchema.safeParse(openCredential(compact).payload.status);
    if (!ref.success) return { status: 'unknown', reason: 'the credential has no status reference' };
    const { idx, uri } = ref.data.status_list;
    try {
      const list = await this.list(uri, record.issuer);
      const value = list.get(idx);
      if (value === 0) return { status: 'valid' };
      if (value === 1) return { status: 'revoked' };
      if (value === 2) return { status: 'suspended' };
      return { status: 'unknown', reason: `status value ${value}` };
    } catch (e) {
      return { status: 'unknown', reason: e instanceof ShomeiError ? e.message : 'the status list could not be read' };
    }
  }

  private list(uri: string, issuer: string): Promise<StatusList> {
    let cached = this.lists.get(uri);
    if (!cached) {
      cached = this.fetchList(uri, issuer);
      this.lists.set(uri, cached);
    }
    return cached;
  }

  private async fetchList(uri: string, issuer: string): Promise<StatusList> {
    const res = await httpFetch(uri, {
      headers: { accept: 'application/statuslist+jwt' },
      timeoutMs: 5000,
      maxBytes: 4 * 1024 * 1024,
      policy: this.policy,
    });
    if (res.status !== 200) throw new ShomeiError('status_unavailable', `the status list answered HTTP ${res.status}`);
    const jws = parseJws(res.body.trim(), 'status_unavailable');
    if (jws.header.typ !== STATUS_LIST_TYP) throw new ShomeiError('status_unavailable', `the status list is not a ${STATUS_LIST_TYP}`);
    let keys = this.keys.get(issuer);
    if (!keys) {
      keys = fetchIssuerKeys(issuer, this.policy);
      this.keys.set(issuer, keys);
    }
    const candidates = (await keys).filter((k) => typeof jws.header.kid !== 'string' || k.kid === jws.header.kid);
    const key = candidates[0];
    if (!key) throw new ShomeiError('status_unavailable', "the status list is not signed with one of the issuer's keys");
    verifyJwsSignature(jws, publicKeyFromJwk(key), { allowed: ['ES256', 'ES384', 'EdDSA'], code: 'status_unavailable' });
    const token = tokenSchema.safeParse(jws.payload);
    if (!token.success || token.data.sub !== uri) throw new ShomeiError('status_unavailable', 'the status list is not the one referenced');
    if (token.data.exp !== undefined && token.data.exp * 1000 <= this.now.getTime()) {
      throw new ShomeiError('status_unavailable', 'the status list has expired');
    }
    return StatusList.decode(token.data.status_list.bits, token.data.status_list.lst);
  }
}
