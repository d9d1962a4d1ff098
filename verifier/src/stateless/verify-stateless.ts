import { type AssuranceLevel, DISCLOSABLE_PATHS } from '@shomei/shared';
import { z } from 'zod';
import type { VerifierContext } from '../context.js';
import { buildEvidence } from '../evidence/evidence.js';
import { PRESET_NAMES, PRESETS, type PresetName } from '../oid4vp/presets.js';
import { policyInputShape } from '../oid4vp/z-requests.js';
import type { ClientRow } from '../store/types.js';
import { runVerification } from '../verify/run-verification.js';
import type { VerificationResult } from '../verify/verify-presentation.js';

const KNOWN_PATHS = new Set(DISCLOSABLE_PATHS.map((p) => JSON.stringify(p)));

/** `POST /v1/verify`: one SD-JWT VC presentation received by other means. */
export const statelessVerifyInputSchema = z
  .strictObject({
    presentation: z
      .string()
      .min(1)
      .max(256 * 1024),
    /** The nonce and audience the key-binding JWT must carry; with either, key binding is required. */
    nonce: z.string().min(1).max(256).optional(),
    aud: z.string().min(1).max(512).optional(),
    /** A credential with `cnf` needs key binding unless this says `optional` (then `key_binding_absent` warns). */
    key_binding: z.enum(['required', 'optional']).optional(),
    preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional(),
    /** Claim paths that must have been disclosed. */
    claims: z
      .array(
        z
          .array(z.string().max(64))
          .min(1)
          .max(4)
          .refine((p) => KNOWN_PATHS.has(JSON.stringify(p)), 'is not a claim path'),
      )
      .max(20)
      .optional(),
    ...policyInputShape,
  })
  .refine((i) => (i.mode === 'match') === (i.record !== undefined), 'match mode needs a record, and a record needs mode "match"');

export type StatelessVerifyInput = z.infer<typeof statelessVerifyInputSchema>;

/**
 * Verifies one presentation for a business and leaves an evidence record. Keys and status
 * lists come from the caches; only a first sight of an issuer or a list fetches (cold path).
 */
export async function verifyStateless(ctx: VerifierContext, client: ClientRow, input: StatelessVerifyInput): Promise<VerificationResult> {
  const required = [...(input.preset ? PRESETS[input.preset].paths : []), ...(input.claims ?? [])].map((p) => [...p]);
  const { result, disclosed } = await runVerification(ctx, {
    presentation: input.presentation,
    expectedNonce: input.nonce,
    expectedAud: input.aud,
    keyBinding: input.key_binding ?? 'required',
    requiredPaths: required,
    extraClaims: input.extra_claims,
    minAssurance: input.min_assurance as AssuranceLevel | undefined,
    maxCredentialAgeSeconds: input.max_credential_age_seconds,
    record: input.record,
  });
  ctx.evidence.add(
    buildEvidence(
      {
        client,
        requestId: null,
        kind: 'verify',
        request: {
          preset: input.preset ?? null,
          claims: required,
          nonce_checked: input.nonce !== undefined,
          aud_checked: input.aud !== undefined,
          key_binding: input.key_binding ?? 'required',
          policy: {
            mode: input.mode ?? 'fill_in',
            min_assurance: input.min_assurance,
            max_credential_age_seconds: input.max_credential_age_seconds,
            extra_claims: input.extra_claims ?? 'drop',
          },
        },
        result,
        disclosed,
        presentation: input.presentation,
        now: ctx.now(),
      },
      ctx.sealer,
    ),
  );
  return result;
}
