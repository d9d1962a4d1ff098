import { identityRecordSchema } from '@shomei/shared';
import { z } from 'zod';

const kana = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\u30A0-\u30FF\u3000 ]+$/u, 'must be full-width katakana');

/** What a JPKI certificate does not hold and the applicant types: the kana readings and the postal code. */
export const jpkiSupplementSchema = z.strictObject({
  family_name_kana: kana,
  given_name_kana: kana,
  postal_code: z.string().regex(/^\d{3}-?\d{4}$/, 'must be a Japanese postal code (123-4567)'),
  phone_number: z
    .string()
    .regex(/^\+?[0-9-]{10,16}$/)
    .optional(),
});

export const newApplicationSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('jpki') }),
  z.strictObject({ method: z.literal('document'), identity: identityRecordSchema }),
  z.strictObject({ method: z.literal('reliance'), assertion: z.string().min(1).max(16_384) }),
]);

export const jpkiSubmissionSchema = z.strictObject({
  /** The signing certificate first, then any intermediates; PEM or base64 DER each. */
  certificate_chain: z.array(z.string().min(1).max(16_384)).min(1).max(5),
  /** The challenge this application was given. */
  challenge: z.string().min(1).max(256),
  /** base64url signature over the challenge's UTF-8 bytes with the certificate key (SHA-256). */
  signature: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
    .max(2048),
  supplement: jpkiSupplementSchema,
});

export const decisionSchema = z.discriminatedUnion('decision', [
  z.strictObject({
    decision: z.literal('approve'),
    /** Attributes as the document shows them, where they differ from what the applicant typed. */
    corrections: z.record(z.string(), z.unknown()).optional(),
  }),
  z.strictObject({ decision: z.literal('reject'), reason: z.string().trim().min(3).max(500) }),
]);

export const relianceAssertionSchema = z.looseObject({
  iss: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  jti: z.string().min(8).max(256),
  assurance_level: z.enum(['IAL1', 'IAL2', 'IAL3']),
  verified_at: z.string().datetime({ offset: true }),
  identity: identityRecordSchema,
});
