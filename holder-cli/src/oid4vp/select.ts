import { SD_JWT_VC_TYP, ShomeiError } from '@shomei/shared';
import { type ClaimPath, inReadingOrder, leaves, type OpenedCredential, openCredential, samePath, valueAt } from '../credential/claims.js';
import { formatPath, sanitize } from '../ui/text.js';
import type { CredentialRecord } from '../wallet/credential-repository.js';
import type { DcqlCredentialQuery } from './request.js';

export interface RequestedClaim {
  /** The DCQL claim id (`c0`, `c1`, …), when the verifier gave one. */
  id?: string | undefined;
  path: ClaimPath;
  values?: readonly (string | number | boolean)[] | undefined;
  /** The person may leave it out (DCQL claim_sets: in the first set, not in the last). */
  optional?: boolean | undefined;
}

/**
 * The claims a DCQL credential query asks for. Only name paths are supported (no array indices).
 * With `claimSets` (contract: first = every id, last = the required ones), an id in the first set
 * but not in the last is optional; without it every claim is required.
 */
export function requestedClaims(query: DcqlCredentialQuery, claimSets?: readonly (readonly string[])[] | null): RequestedClaim[] {
  const claims = (query.claims ?? []).map((c) => {
    if (!c.path.every((s): s is string => typeof s === 'string')) {
      throw new ShomeiError('request_invalid', 'this wallet supports claim paths of names only');
    }
    return { id: c.id, path: c.path, values: c.values, optional: false };
  });
  if (!claimSets || claimSets.length === 0) return claims;
  const ids = new Set(claims.map((c) => c.id));
  if (claims.some((c) => c.id === undefined) || ids.size !== claims.length) {
    throw new ShomeiError('request_invalid', 'claim_sets need every claim to have its own id');
  }
  const all = new Set(claimSets[0]);
  const required = new Set(claimSets.at(-1));
  for (const id of [...all, ...required]) {
    if (!ids.has(id)) throw new ShomeiError('request_invalid', 'claim_sets name a claim id the query does not have');
  }
  // A claim in no set at all is not asked for: drop it rather than send it.
  return claims
    .filter((c) => all.has(c.id as string) || required.has(c.id as string))
    .map((c) => ({ ...c, optional: !required.has(c.id as string) }));
}

/** One requested claim and what answering it would disclose from a given credential. */
export interface PlannedClaim {
  claim: RequestedClaim;
  /** Disclosures it needs (empty for always-visible claims, or an optional claim the credential lacks). */
  paths: ClaimPath[];
  /** False for an optional claim the credential does not hold. */
  available: boolean;
}

export type DisclosurePlan = { ok: true; paths: ClaimPath[]; items: PlannedClaim[] } | { ok: false; missing: ClaimPath[] };

/**
 * What to disclose from one credential. A path is satisfied when the credential has a value there
 * (one of `values`, when given). A requested object such as `['address']` means every member of
 * it that the credential holds, so it expands to `['address','postal_code']`, … and discloses
 * nothing else; claims that are always visible need no disclosure at all. A missing optional
 * claim does not rule the credential out.
 */
export function planDisclosure(credential: OpenedCredential, requested: readonly RequestedClaim[]): DisclosurePlan {
  const missing: ClaimPath[] = [];
  const items: PlannedClaim[] = [];
  for (const claim of requested) {
    const value = valueAt(credential.claims, claim.path);
    if (value === undefined || (claim.values !== undefined && !claim.values.some((v) => v === value))) {
      if (claim.optional) items.push({ claim, paths: [], available: false });
      else missing.push(claim.path);
      continue;
    }
    const disclosable = valueAt(credential.disclosed, claim.path);
    const paths = disclosable === undefined ? [] : inReadingOrder(leaves(disclosable, claim.path)).map((l) => l.path);
    items.push({ claim, paths, available: true });
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, paths: unionPaths(items), items };
}

/** Every path of `items`, each once, in order. */
export function unionPaths(items: readonly { paths: readonly ClaimPath[] }[]): ClaimPath[] {
  const out: ClaimPath[] = [];
  for (const item of items) for (const p of item.paths) if (!out.some((q) => samePath(p, q))) out.push(p);
  return out;
}

export interface SelectedCredential {
  record: CredentialRecord;
  compact: string;
  paths: ClaimPath[];
  items: PlannedClaim[];
}

/**
 * Every credential that can answer `query`: the right format and one of the requested types, not
 * expired, holding every required claim. In the order given (newest first).
 */
export function matchCredentials(
  records: readonly CredentialRecord[],
  unseal: (id: string) => string,
  query: DcqlCredentialQuery,
  now: Date,
  claimSets?: readonly (readonly string[])[] | null,
): { matches: SelectedCredential[]; missing: ClaimPath[] | undefined } {
  if (query.format !== SD_JWT_VC_TYP) {
    throw new ShomeiError('no_matching_credential', `this wallet holds no ${query.format} credentials`);
  }
  const requested = requestedClaims(query, claimSets);
  const types = query.meta?.vct_values;
  let missing: ClaimPath[] | undefined;
  const matches: SelectedCredential[] = [];
  for (const record of records) {
    if (record.format !== SD_JWT_VC_TYP) continue;
    if (types !== undefined && !types.includes(record.vct)) continue;
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) continue;
    const compact = unseal(record.id);
    const plan = planDisclosure(openCredential(compact), requested);
    if (plan.ok) matches.push({ record, compact, paths: plan.paths, items: plan.items });
    else missing ??= plan.missing;
  }
  return { matches, missing };
}

export function noMatch(missing: ClaimPath[] | undefined): ShomeiError {
  const why = missing ? ` (missing: ${missing.map((p) => sanitize(formatPath(p), 100)).join(', ')})` : '';
  return new ShomeiError('no_matching_credential', `no valid credential in this wallet has what the verifier asks for${why}`);
}

/** The newest credential that can answer `query`. */
export function selectCredential(
  records: readonly CredentialRecord[],
  unseal: (id: string) => string,
  query: DcqlCredentialQuery,
  now: Date,
): SelectedCredential {
  const { matches, missing } = matchCredentials(records, unseal, query, now);
  const [first] = matches;
  if (!first) throw noMatch(missing);
  return first;
}
