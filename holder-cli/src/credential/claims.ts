import { DISCLOSABLE_PATHS, decodeSdJwt, reconstructClaims } from '@shomei/shared';

export type ClaimPath = string[];

export interface ClaimLeaf {
  path: ClaimPath;
  value: unknown;
}

export interface OpenedCredential {
  header: Record<string, unknown>;
  /** The issuer-signed payload (digests, not values). */
  payload: Record<string, unknown>;
  /** Everything: visible claims with every disclosure put in place. */
  claims: Record<string, unknown>;
  /** Only what came from disclosures, with the visible containers that hold it. */
  disclosed: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes an SD-JWT (VC or presentation) without checking signatures. */
export function openCredential(compact: string): OpenedCredential {
  const decoded = decodeSdJwt(compact);
  const payload = decoded.issuerJws.payload;
  const claims = reconstructClaims(payload, decoded.disclosures);
  return { header: decoded.issuerJws.header, payload, claims, disclosed: disclosedView(payload, claims) };
}

/**
 * Walks the signed payload and the reconstructed claims together: a member absent from the
 * signed object came from a disclosure and is kept whole; a visible object is kept only for the
 * disclosed members inside it (`age_equal_or_over` is visible, its thresholds are disclosures).
 */
export function disclosedView(signed: Record<string, unknown>, full: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(full)) {
    if (!Object.hasOwn(signed, name)) {
      out[name] = value;
      continue;
    }
    const signedValue = signed[name];
    if (isObject(value) && isObject(signedValue)) {
      const inner = disclosedView(signedValue, value);
      if (Object.keys(inner).length > 0) out[name] = inner;
    }
  }
  return out;
}

/** Every leaf under `value`, objects descended into, arrays and scalars as leaves. */
export function leaves(value: unknown, prefix: ClaimPath = []): ClaimLeaf[] {
  if (!isObject(value)) return prefix.length > 0 ? [{ path: prefix, value }] : [];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}

export function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const segment of path) {
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

const KNOWN_ORDER = new Map(DISCLOSABLE_PATHS.map((p, i) => [p.join('\u0000'), i]));

/**
 * Puts claims in a stable, readable order: the identity credential's own order (name, kana,
 * birthdate, …, address parts, age predicates), then anything else alphabetically. Disclosure
 * digests are sorted, so the order in the credential itself carries no meaning.
 */
export function inReadingOrder<T extends { path: ClaimPath }>(items: readonly T[]): T[] {
  const rank = (path: ClaimPath) => KNOWN_ORDER.get(path.join('\u0000')) ?? Number.MAX_SAFE_INTEGER;
  return [...items].sort((a, b) => rank(a.path) - rank(b.path) || a.path.join('.').localeCompare(b.path.join('.')));
}
