import { SD_JWT_VC_TYP, ShomeiError } from '@shomei/shared';
import { type ClaimPath, inReadingOrder, leaves, type OpenedCredential, openCredential, samePath, valueAt } from '../credential/claims.js';
import { formatPath, sanitize } from '../ui/text.js';
import type { CredentialRecord } from '../wallet/credential-repository.js';
import type { DcqlCredentialQuery } from './request.js';

export interface RequestedClaim {
  path: ClaimPath;
  values?: readonly (string | number | boolean)[] | undefined;
}

/** The claims a DCQL credential query asks for. Only name paths are supported (no array indices). */
export function requestedClaims(query: DcqlCredentialQuery): RequestedClaim[] {
  return (query.claims ?? []).map((c) => {
    if (!c.path.every((s): s is string => typeof s === 'string')) {
      throw new ShomeiError('request_invalid', 'this wallet supports claim paths of names only');
    }
    return { path: c.path, values: c.values };
  });
}

export type DisclosurePlan = { ok: true; paths: ClaimPath[] } | { ok: false; missing: ClaimPath[] };

/**
 * What to disclose from one credential. A path is satisfied when the credential has a value there
 * (one of `values`, when given). A requested object such as `['address']` means every member of
 * it that the credential holds, so it expands to `['address','postal_code']`, … and discloses
 * nothing else; claims that are always visible need no disclosure at all.
 */
export function planDisclosure(credential: OpenedCredential, requested: readonly RequestedClaim[]): DisclosurePlan {
  const missing: ClaimPath[] = [];
  const paths: ClaimPath[] = [];
  for (const claim of requested) {
    const value = valueAt(credential.claims, claim.path);
    if (value === undefined || (claim.values !== undefined && !claim.values.some((v) => v === value))) {
      missing.push(claim.path);
      continue;
    }
    const disclosable = valueAt(credential.disclosed, claim.path);
    if (disclosable === undefined) continue;
    for (const leaf of inReadingOrder(leaves(disclosable, claim.path))) {
      if (!paths.some((p) => samePath(p, leaf.path))) paths.push(leaf.path);
    }
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, paths };
}

export interface SelectedCredential {
  record: CredentialRecord;
  compact: string;
  paths: ClaimPath[];
}

/**
 * Picks the credential to answer `query` with: the right format and one of the requested types,
 * not expired, holding every requested claim; the newest such (records come newest first).
 */
export function selectCredential(
  records: readonly CredentialRecord[],
  unseal: (id: string) => string,
  query: DcqlCredentialQuery,
  now: Date,
): SelectedCredential {
  if (query.format !== SD_JWT_VC_TYP) {
    throw new ShomeiError('no_matching_credential', `this wallet holds no ${query.format} credentials`);
  }
  const requested = requestedClaims(query);
  const types = query.meta?.vct_values;
  let missing: ClaimPath[] | undefined;
  for (const record of records) {
    if (record.format !== SD_JWT_VC_TYP) continue;
    if (types !== undefined && !types.includes(record.vct)) continue;
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) continue;
    const compact = unseal(record.id);
    const plan = planDisclosure(openCredential(compact), requested);
    if (plan.ok) return { record, compact, paths: plan.paths };
    missing ??= plan.missing;
  }
  const why = missing ? ` (missing: ${missing.map((p) => sanitize(formatPath(p), 100)).join(', ')})` : '';
  throw new ShomeiError('no_matching_credential', `no valid credential in this wallet has what the verifier asks for${why}`);
}
