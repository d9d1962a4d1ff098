// Deep imports: this module also runs on the signing threads, which should not load all of shared.
import type { PublicJwk } from '@shomei/shared/crypto';
import { ShomeiError } from '@shomei/shared/errors';
import {
  ASSURANCE_LEVELS,
  type AssuranceLevel,
  type IdentityRecord,
  identityRecordAsIs,
  identityRecordSchema,
} from '@shomei/shared/identity';
import { parseWith } from '@shomei/shared/validation';
import { z } from 'zod';
import { parseCsvLine } from './csv.js';

/**
 * One customer of an upstream KYC body, already proved by it: what a batch row carries. The
 * proofing method caps the level a row may assert (DESIGN.md, after the guideline in the seeds):
 * a JPKI signature is IAL3, eKYC with photo ID and selfie IAL2, an uploaded document image or a
 * self-declaration IAL1, and reliance on another KYC body at most IAL3 (its own level).
 */
export const BATCH_METHODS = {
  jpki: 'IAL3',
  document: 'IAL2',
  document_upload: 'IAL1',
  self_declared: 'IAL1',
  reliance: 'IAL3',
} as const satisfies Record<string, AssuranceLevel>;
export type BatchMethod = keyof typeof BATCH_METHODS;

export interface BatchRecord {
  externalId: string;
  identity: IdentityRecord;
  method: BatchMethod;
  level: AssuranceLevel;
  proofedAt: Date;
  holderJwk?: PublicJwk;
}

/** The CSV header a batch file must start with (order free; phone_number and holder_jwk optional). */
export const CSV_COLUMNS = [
  'external_id',
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'birthdate',
  'gender',
  'postal_code',
  'region',
  'locality',
  'street_address',
  'phone_number',
  'proofing_method',
  'assurance_level',
  'proofed_at',
  'holder_jwk',
] as const;
const OPTIONAL_COLUMNS = new Set(['phone_number', 'holder_jwk']);

const rowSchema = z.strictObject({
  external_id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits or . _ : -'),
  identity: z.unknown(),
  proofing: z.strictObject({
    method: z.enum(Object.keys(BATCH_METHODS) as [BatchMethod, ...BatchMethod[]]),
    assurance_level: z.enum(ASSURANCE_LEVELS),
    time: z.iso.datetime({ offset: true }),
  }),
  holder_jwk: z.unknown().optional(),
});

const LEVEL_RANK: Record<AssuranceLevel, number> = { IAL1: 1, IAL2: 2, IAL3: 3 };

/** Validates one row (already shaped as JSON). Throws a ShomeiError whose message names the field. */
export function validateRow(raw: unknown, needsHolderKey: boolean, now: Date): BatchRecord {
  const row = parseWith(rowSchema, raw, 'row', 'invalid_request');
  const identity = identityRecordAsIs(row.identity) ?? parseWith(identityRecordSchema, row.identity, 'identity', 'invalid_request');
  const { method, assurance_level: level } = row.proofing;
  if (LEVEL_RANK[level] > LEVEL_RANK[BATCH_METHODS[method]]) {
    throw new ShomeiError('invalid_request', `proofing method ${method} cannot assert ${level} (at most ${BATCH_METHODS[method]})`);
  }
  const proofedAt = new Date(row.proofing.time);
  if (proofedAt.getTime() > now.getTime() + 60_000) throw new ShomeiError('invalid_request', 'proofing time is in the future');
  const record: BatchRecord = { externalId: row.external_id, identity, method, level, proofedAt };
  if (row.holder_jwk !== undefined) record.holderJwk = parseHolderJwk(row.holder_jwk);
  else if (needsHolderKey) throw new ShomeiError('invalid_request', 'holder_jwk is required in direct mode');
  return record;
}

/**
 * Structural check of the holder key (P-256 public JWK, no private part). Whether the point lies
 * on the curve is checked by the signing worker, where importing the key costs no main-thread time.
 */
function parseHolderJwk(value: unknown): PublicJwk {
  const jwk = (typeof value === 'string' ? safeJson(value, 'holder_jwk') : value) as Record<string, unknown> | null;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw new ShomeiError('invalid_request', 'holder_jwk must be a JWK object');
  if ('d' in jwk) throw new ShomeiError('invalid_request', 'holder_jwk contains private key material');
  const coordinate = /^[A-Za-z0-9_-]{43}$/;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !coordinate.test(String(jwk.x)) || !coordinate.test(String(jwk.y))) {
    throw new ShomeiError('invalid_request', 'holder_jwk must be a P-256 public key (kty EC, crv P-256, x, y)');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
}

function safeJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ShomeiError('invalid_request', `${what} is not JSON`);
  }
}

/** Maps a CSV header to column positions; refuses unknown, missing or repeated columns. */
export function csvHeader(line: string): Map<string, number> {
  const names = parseCsvLine(line.replace(/^\uFEFF/, '')).map((n) => n.trim());
  const positions = new Map<string, number>();
  names.forEach((name, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) throw new ShomeiError('invalid_request', `unknown CSV column ${name}`);
    if (positions.has(name)) throw new ShomeiError('invalid_request', `CSV column ${name} appears twice`);
    positions.set(name, i);
  });
  for (const c of CSV_COLUMNS) {
    if (!OPTIONAL_COLUMNS.has(c) && !positions.has(c)) throw new ShomeiError('invalid_request', `CSV header lacks column ${c}`);
  }
  return positions;
}

/** Shapes a CSV line like a JSONL row, so both formats go through one validator. */
export function csvRow(line: string, header: Map<string, number>): unknown {
  const fields = parseCsvLine(line);
  if (fields.length !== header.size) throw new ShomeiError('invalid_request', `expected ${header.size} fields, found ${fields.length}`);
  const get = (name: string) => {
    const i = header.get(name);
    return i === undefined ? undefined : fields[i];
  };
  const optional = (name: string) => {
    const v = get(name);
    return v === undefined || v === '' ? undefined : v;
  };
  const identity: Record<string, unknown> = {
    family_name: get('family_name'),
    given_name: get('given_name'),
    family_name_kana: get('family_name_kana'),
    given_name_kana: get('given_name_kana'),
    birthdate: get('birthdate'),
    gender: get('gender'),
    address: {
      postal_code: get('postal_code'),
      region: get('region'),
      locality: get('locality'),
      street_address: get('street_address'),
    },
  };
  const phone = optional('phone_number');
  if (phone !== undefined) identity.phone_number = phone;
  const row: Record<string, unknown> = {
    external_id: get('external_id'),
    identity,
    proofing: { method: get('proofing_method'), assurance_level: get('assurance_level'), time: get('proofed_at') },
  };
  const jwk = optional('holder_jwk');
  if (jwk !== undefined) row.holder_jwk = jwk;
  return row;
}
