import { KANA_FAMILY, KANA_GIVEN } from '@shomei/shared';
import { z } from 'zod';
import { normalizeDate, normalizePhone, normalizePostalCode, normalizePrefecture, normalizeStreet, normalizeText } from './normalize.js';

const field = z.string().trim().min(1).max(200);

/** A business's own customer record, to be compared with the credential (match mode). */
const baseSchema = z.strictObject({
  family_name: field.optional(),
  given_name: field.optional(),
  /** Full name, family then given, with or without a space. */
  name: field.optional(),
  family_name_kana: field.optional(),
  given_name_kana: field.optional(),
  name_kana: field.optional(),
  birthdate: field.optional(),
  gender: field.optional(),
  phone_number: field.optional(),
  address: z
    .strictObject({
      postal_code: field.optional(),
      region: field.optional(),
      locality: field.optional(),
      street_address: field.optional(),
    })
    .optional(),
});

export const matchRecordSchema = baseSchema.refine(
  (r) => Object.keys(matchFields(r)).length > 0,
  'the record needs at least one field to match',
);

export type MatchRecord = z.infer<typeof baseSchema>;

type Normalizer = (s: string) => string | null;
interface FieldSpec {
  /** Claim paths whose values, concatenated, are compared. */
  paths: string[][];
  normalize: Normalizer;
}

const FIELDS: Record<string, FieldSpec> = {
  family_name: { paths: [['family_name']], normalize: normalizeText },
  given_name: { paths: [['given_name']], normalize: normalizeText },
  name: { paths: [['family_name'], ['given_name']], normalize: normalizeText },
  family_name_kana: { paths: [[KANA_FAMILY]], normalize: normalizeText },
  given_name_kana: { paths: [[KANA_GIVEN]], normalize: normalizeText },
  name_kana: { paths: [[KANA_FAMILY], [KANA_GIVEN]], normalize: normalizeText },
  birthdate: { paths: [['birthdate']], normalize: normalizeDate },
  gender: { paths: [['gender']], normalize: normalizeText },
  phone_number: { paths: [['phone_number']], normalize: normalizePhone },
  'address.postal_code': { paths: [['address', 'postal_code']], normalize: normalizePostalCode },
  'address.region': { paths: [['address', 'region']], normalize: normalizePrefecture },
  'address.locality': { paths: [['address', 'locality']], normalize: normalizeText },
  'address.street_address': { paths: [['address', 'street_address']], normalize: normalizeStreet },
};

/** The record's fields by dotted name (`address.locality`), each with its value. */
export function matchFields(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'string') out[`${k}.${k2}`] = v2;
  }
  return out;
}

/** The claim paths a record needs disclosed (what a match-mode request asks for). */
export function matchPaths(record: MatchRecord): string[][] {
  const seen = new Map<string, string[]>();
  for (const name of Object.keys(matchFields(record))) {
    for (const path of FIELDS[name]?.paths ?? []) seen.set(JSON.stringify(path), path);
  }
  return [...seen.values()];
}

function valueAt(claims: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = claims;
  for (const seg of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, seg)) return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

/**
 * Compares the record with the disclosed claims, field by field, after normalization. A field
 * whose claim was not disclosed, or whose value cannot be read (an impossible date), is false.
 */
export function matchRecord(record: MatchRecord, disclosed: Record<string, unknown>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, given] of Object.entries(matchFields(record))) {
    const spec = FIELDS[name];
    if (!spec) continue;
    const parts = spec.paths.map((p) => valueAt(disclosed, p));
    if (parts.some((p) => typeof p !== 'string')) {
      out[name] = false;
      continue;
    }
    const ours = spec.normalize(given);
    const theirs = spec.normalize((parts as string[]).join(''));
    out[name] = ours !== null && theirs !== null && ours === theirs;
  }
  return out;
}
