import { DISCLOSABLE_PATHS } from '@shomei/shared';
import { z } from 'zod';
import { CUSTOM_PURPOSE, PRESET_NAMES, PRESETS, type PresetName } from './presets.js';

const KNOWN_PATHS = new Set(DISCLOSABLE_PATHS.map((p) => JSON.stringify(p)));

const claimPathSchema = z
  .array(z.string().max(64))
  .min(1)
  .max(4)
  .refine((path) => KNOWN_PATHS.has(JSON.stringify(path)), 'is not a claim path of the identity credential');

export const createRequestInputSchema = z
  .strictObject({
    preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional(),
    claims: z.array(claimPathSchema).min(1).max(20).optional(),
    purpose: z.string().trim().min(1).max(500).optional(),
  })
  .refine((i) => (i.preset === undefined) !== (i.claims === undefined), 'give either preset or claims');

export type CreateRequestInput = z.infer<typeof createRequestInputSchema>;

export interface ResolvedQuery {
  preset: PresetName | null;
  paths: string[][];
  purpose: string;
}

export function resolveQuery(input: CreateRequestInput): ResolvedQuery {
  if (input.preset) {
    const preset = PRESETS[input.preset];
    return { preset: input.preset, paths: preset.paths.map((p) => [...p]), purpose: input.purpose ?? preset.purpose };
  }
  const unique = new Map((input.claims ?? []).map((p) => [JSON.stringify(p), p]));
  return { preset: null, paths: [...unique.values()], purpose: input.purpose ?? CUSTOM_PURPOSE };
}
