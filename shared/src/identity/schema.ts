import { z } from 'zod';

/** The `vct` of Shomei's Japanese identity credential. */
export const IDENTITY_VCT = 'urn:shomei:vct:jp-identity:1';

/** OIDC language-tagged claim names for the kana readings of the name. */
export const KANA_FAMILY = 'family_name#ja-Kana-JP';
export const KANA_GIVEN = 'given_name#ja-Kana-JP';

/** Age thresholds for which `age_equal_or_over` predicates are computed at issuance. */
export const AGE_THRESHOLDS = [18, 20, 65] as const;

export const ASSURANCE_LEVELS = ['IAL1', 'IAL2', 'IAL3'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a calendar date',
  );

const text = (max: number) => z.string().trim().min(1).max(max);

/** Digits that look like a 12-digit Individual Number (マイナンバー), with or without separators. */
const INDIVIDUAL_NUMBER = /(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)/;

export const addressSchema = z.strictObject({
  postal_code: z.string().regex(/^\d{3}-?\d{4}$/, 'must be a Japanese postal code (123-4567)'),
  region: text(16),
  locality: text(64),
  street_address: text(128),
  country: z.literal('JP').default('JP'),
});

/**
 * What a KYC body proved about a person: the input to issuance. Strict: an unknown field (an
 * Individual Number in any guise among them) is refused rather than silently dropped.
 */
export const identityRecordSchema = z
  .strictObject({
    family_name: text(64),
    given_name: text(64),
    family_name_kana: text(64),
    given_name_kana: text(64),
    birthdate: isoDate,
    gender: z.enum(['male', 'female', 'other']),
    address: addressSchema,
    phone_number: z
      .string()
      .regex(/^\+?[0-9-]{10,16}$/, 'must be a phone number')
      .optional(),
  })
  .superRefine((rec, ctx) => {
    const check = (path: string[], v: unknown) => {
      if (typeof v === 'string' && INDIVIDUAL_NUMBER.test(v)) {
        ctx.addIssue({ code: 'custom', path, message: 'looks like an Individual Number, which is never accepted' });
      }
    };
    for (const [k, v] of Object.entries(rec)) if (k !== 'phone_number') check([k], v);
    // Address parts are free text too: a number typed into street_address must not slip through.
    for (const [k, v] of Object.entries(rec.address)) check(['address', k], v);
  });

export type IdentityRecord = z.infer<typeof identityRecordSchema>;

export interface Evidence {
  trust_framework: 'jp_aml';
  assurance_level: AssuranceLevel;
  time: string;
  evidence: { type: string; method: string; time: string }[];
  /** Present and true only for credentials from the sandbox path; verifiers may refuse them. */
  sandbox?: true;
}

export function ageOn(birthdate: string, on: Date): number {
  const [y, m, d] = birthdate.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

export function formatAddress(a: IdentityRecord['address']): string {
  const postal = a.postal_code.includes('-') ? a.postal_code : `${a.postal_code.slice(0, 3)}-${a.postal_code.slice(3)}`;
  return `〒${postal} ${a.region}${a.locality}${a.street_address}`;
}

/** The credential's personal claims (all to be made selectively disclosable). */
export function identityClaims(rec: IdentityRecord, issuedAt: Date): Record<string, unknown> {
  const age = ageOn(rec.birthdate, issuedAt);
  const claims: Record<string, unknown> = {
    family_name: rec.family_name,
    given_name: rec.given_name,
    [KANA_FAMILY]: rec.family_name_kana,
    [KANA_GIVEN]: rec.given_name_kana,
    birthdate: rec.birthdate,
    gender: rec.gender,
    address: { ...rec.address, formatted: formatAddress(rec.address) },
    age_equal_or_over: Object.fromEntries(AGE_THRESHOLDS.map((t) => [String(t), age >= t])),
  };
  if (rec.phone_number) claims.phone_number = rec.phone_number;
  return claims;
}

/**
 * The claim paths a verifier can ask for, as DCQL paths. `address` parts are nested; asking for
 * `address` as a whole discloses every part.
 */
export const DISCLOSABLE_PATHS: readonly (readonly string[])[] = [
  ['family_name'],
  ['given_name'],
  [KANA_FAMILY],
  [KANA_GIVEN],
  ['birthdate'],
  ['gender'],
  ['phone_number'],
  ['address'],
  ['address', 'postal_code'],
  ['address', 'region'],
  ['address', 'locality'],
  ['address', 'street_address'],
  ['address', 'formatted'],
  ['address', 'country'],
  ...AGE_THRESHOLDS.map((t) => ['age_equal_or_over', String(t)]),
];
