import { ASSURANCE_LEVELS, type AssuranceLevel, DISCLOSABLE_PATHS } from '@shomei/shared';
import { z } from 'zod';
import { type MatchRecord, matchPaths, matchRecordSchema } from '../matching/match.js';
import { CUSTOM_PURPOSE, PRESET_NAMES, PRESETS, type PresetName } from './presets.js';

const KNOWN_PATHS = new Set(DISCLOSABLE_PATHS.map((p) => JSON.stringify(p)));

const claimPathSchema = z
  .array(z.string().max(64))
  .min(1)
  .max(4)
  .refine((path) => KNOWN_PATHS.has(JSON.stringify(path)), 'is not a claim path of the identity credential');

/** A claim: a plain path (required), or `{path, optional}` (contract 2). */
const claimSchema = z.union([claimPathSchema, z.strictObject({ path: claimPathSchema, optional: z.boolean().optional() })]);

export const assuranceLevelSchema = z.enum(ASSURANCE_LEVELS as unknown as [AssuranceLevel, ...AssuranceLevel[]]);

/** Policy a business may put on a request or a stateless check. */
export const policyInputShape = {
  min_assurance: assuranceLevelSchema.optional(),
  /** Oldest credential accepted, in seconds since its issuance. */
  max_credential_age_seconds: z
    .number()
    .int()
    .positive()
    .max(20 * 365 * 86_400)
    .optional(),
  mode: z.enum(['fill_in', 'match']).optional(),
  /** Disclosures nobody asked for: `drop` them with a warning (default), or `refuse` the presentation. */
  extra_claims: z.enum(['drop', 'refuse']).optional(),
  /** Match mode: the business's own record; the result holds only per-field true/false. */
  record: matchRecordSchema.optional(),
};

export const createRequestInputSchema = z
  .strictObject({
    preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional(),
    claims: z.array(claimSchema).min(1).max(20).optional(),
    purpose: z.string().trim().min(1).max(500).optional(),
    ...policyInputShape,
  })
  .refine((i) => !(i.preset !== undefined && i.claims !== undefined), 'give preset or claims, not both')
  .refine((i) => i.preset !== undefined || i.claims !== undefined || i.mode === 'match', 'give preset or claims')
  .refine((i) => (i.mode === 'match') === (i.record !== undefined), 'match mode needs a record, and a record needs mode "match"');

export type CreateRequestInput = z.infer<typeof createRequestInputSchema>;

export interface RequestPolicy {
  mode: 'fill_in' | 'match';
  optional: string[][];
  min_assurance?: AssuranceLevel;
  max_credential_age_seconds?: number;
  /** Absent: `drop`. */
  extra_claims?: 'drop' | 'refuse';
}

export interface ResolvedQuery {
  preset: PresetName | null;
  /** Required claim paths. */
  paths: string[][];
  purpose: string;
  policy: RequestPolicy;
  record: MatchRecord | undefined;
}

export function resolveQuery(input: CreateRequestInput): ResolvedQuery {
  const policy: RequestPolicy = { mode: input.mode ?? 'fill_in', optional: [] };
  if (input.min_assurance) policy.min_assurance = input.min_assurance;
  if (input.max_credential_age_seconds) policy.max_credential_age_seconds = input.max_credential_age_seconds;
  if (input.extra_claims) policy.extra_claims = input.extra_claims;
  const required = new Map<string, string[]>();
  const optional = new Map<string, string[]>();
  let preset: PresetName | null = null;
  let purpose = input.purpose ?? CUSTOM_PURPOSE;
  if (input.preset) {
    preset = input.preset;
    purpose = input.purpose ?? PRESETS[input.preset].purpose;
    for (const p of PRESETS[input.preset].paths) required.set(JSON.stringify(p), [...p]);
  }
  for (const c of input.claims ?? []) {
    const path = Array.isArray(c) ? c : c.path;
    const isOptional = !Array.isArray(c) && c.optional === true;
    (isOptional ? optional : required).set(JSON.stringify(path), [...path]);
  }
  if (input.record) for (const p of matchPaths(input.record)) required.set(JSON.stringify(p), p);
  for (const key of required.keys()) optional.delete(key);
  policy.optional = [...optional.values()];
  return { preset, paths: [...required.values()], purpose, policy, record: input.record };
}
