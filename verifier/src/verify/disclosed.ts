import type { Disclosure } from '@shomei/shared';

/** Claims that describe the credential rather than the person; never part of `disclosed`. */
export const NON_PERSONAL_CLAIMS = ['iss', 'vct', 'iat', 'exp', 'nbf', 'sub', 'cnf', 'status', 'verification', '_sd_alg'] as const;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The part of the reconstructed claims that came from presented disclosures: a disclosed claim
 * with everything under it, and visible containers (such as `age_equal_or_over`) only as far as
 * they hold disclosed members. Visible values the issuer put in clear are not "disclosed".
 * Array-element disclosures are not used by the identity credential and are left out.
 */
export function disclosedClaims(signed: Obj, reconstructed: Obj, disclosures: readonly Disclosure[]): Obj {
  const byDigest = new Map(disclosures.map((d) => [d.digest, d]));
  const out = pick(signed, reconstructed, byDigest, NON_PERSONAL);
  for (const name of NON_PERSONAL_CLAIMS) delete out[name];
  return out;
}

const NON_PERSONAL: ReadonlySet<string> = new Set(NON_PERSONAL_CLAIMS);
const NOTHING: ReadonlySet<string> = new Set();

/** `skip`: visible members not to walk into (at the top level, the non-personal claims: cnf, status, verification…). */
function pick(signed: Obj, reconstructed: Obj, byDigest: Map<string, Disclosure>, skip: ReadonlySet<string> = NOTHING): Obj {
  const out: Obj = {};
  const sd = Array.isArray(signed._sd) ? signed._sd : [];
  for (const digest of sd) {
    const d = typeof digest === 'string' ? byDigest.get(digest) : undefined;
    if (d?.name !== undefined && Object.hasOwn(reconstructed, d.name)) out[d.name] = reconstructed[d.name];
  }
  for (const [name, value] of Object.entries(signed)) {
    if (name === '_sd' || skip.has(name) || !isObject(value)) continue;
    const inner = reconstructed[name];
    if (!isObject(inner)) continue;
    const sub = pick(value, inner, byDigest);
    if (Object.keys(sub).length > 0) out[name] = sub;
  }
  return out;
}

/** The value at a claim path in the reconstructed claims, or undefined. */
export function valueAtPath(claims: Obj, path: readonly string[]): unknown {
  let node: unknown = claims;
  for (const segment of path) {
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * A requested path counts as disclosed when its value is present, and for an object (such as
 * `address`) when at least one member came with it: a container disclosed empty answers nothing.
 * Undisclosed members cannot be told from decoy digests, so "every member" is not checkable.
 */
export function isPathDisclosed(disclosed: Obj, path: readonly string[]): boolean {
  const value = valueAtPath(disclosed, path);
  if (value === undefined) return false;
  return !isObject(value) || Object.keys(value).length > 0;
}
