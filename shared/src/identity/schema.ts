import { z } from 'zod';
import { containsIndividualNumber, isJapanesePhoneNumber } from './individual-number.js';

/** The `vct` of Shomei's Japanese identity credential. */
export const IDENTITY_VCT = 'urn:shomei:vct:jp-identity:1';

/** OIDC language-tagged claim names for the kana readings of the name. */
export const KANA_FAMILY = 'family_name#ja-Kana-JP';
export const KANA_GIVEN = 'given_name#ja-Kana-JP';

/** Age thresholds for which `age_equal_or_over` predicates are computed at issuance. */
export const AGE_THRESHOLDS = [18, 20, 65] as const;

export const ASSURANCE_LEVELS = ['IAL1', 'IAL2', 'IAL3'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Whether a YYYY-MM-DD string names a day of the (proleptic Gregorian) calendar, as JavaScript's Date does. */
export function isCalendarDate(s: string): boolean {
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[month - 1] as number));
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const isoDate = z.string().regex(ISO_DATE, 'must be YYYY-MM-DD').refine(isCalendarDate, 'is not a calendar date');

/** Longest accepted length of each free-text field, after trimming. */
const MAX = { name: 64, region: 16, locality: 64, street_address: 128 } as const;
const text = (max: number) => z.string().trim().min(1).max(max);

const POSTAL_CODE = /^\d{3}-?\d{4}$/;
const GENDERS = ['male', 'female', 'other'] as const;

export const addressSchema = z.strictObject({
  postal_code: z.string().regex(POSTAL_CODE, 'must be a Japanese postal code (123-4567)'),
  region: text(MAX.region),
  locality: text(MAX.locality),
  street_address: text(MAX.street_address),
  country: z.literal('JP').default('JP'),
});

/**
 * What a KYC body proved about a person: the input to issuance. Strict: an unknown field (an
 * Individual Number in any guise among them) is refused rather than silently dropped.
 */
export const identityRecordSchema = z
  .strictObject({
    family_name: text(MAX.name),
    given_name: text(MAX.name),
    family_name_kana: text(MAX.name),
    given_name_kana: text(MAX.name),
    birthdate: isoDate,
    gender: z.enum(GENDERS),
    address: addressSchema,
    phone_number: z
      .string()
      .refine(isJapanesePhoneNumber, 'must be a Japanese phone number (090-1234-5678 or +81-90-1234-5678)')
      .optional(),
  })
  .superRefine((rec, ctx) => {
    const check = (path: string[], v: unknown) => {
      if (typeof v === 'string' && containsIndividualNumber(v)) {
        ctx.addIssue({ code: 'custom', path, message: 'looks like an Individual Number, which is never accepted' });
      }
    };
    // The phone number is not searched: its own check keeps it to a Japanese number of at most 11
    // national digits, and its +81 form would read as 12 digits here.
    for (const [k, v] of Object.entries(rec)) if (k !== 'phone_number') check([k], v);
    // Address parts are free text too: a number typed into street_address must not slip through.
    for (const [k, v] of Object.entries(rec.address)) check(['address', k], v);
  });

export type IdentityRecord = z.infer<typeof identityRecordSchema>;

// The members each strict object allows, from the schemas themselves.
const RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(identityRecordSchema.shape));
const ADDRESS_KEYS: ReadonlySet<string> = new Set(Object.keys(addressSchema.shape));

/**
 * What `identityRecordSchema` returns for `value`, when `value` is a record the schema accepts
 * as it stands (nothing to trim, `country` present or left to its default); otherwise undefined,
 * and the caller runs the schema, which also explains a refusal. The same rules, checked without
 * zod's machinery: batch issuance validates one record per credential, and this takes ~0.6 µs
 * against the schema's 3–4 µs. A property test holds the two to the same answers.
 */
export function identityRecordAsIs(value: unknown): IdentityRecord | undefined {
  if (!isObject(value) || !hasOnlyKeys(value, RECORD_KEYS)) return undefined;
  const { family_name, given_name, family_name_kana, given_name_kana, birthdate, gender, address, phone_number } = value;
  if (!isText(family_name, MAX.name) || !isText(given_name, MAX.name)) return undefined;
  if (!isText(family_name_kana, MAX.name) || !isText(given_name_kana, MAX.name)) return undefined;
  if (typeof birthdate !== 'string' || !ISO_DATE.test(birthdate) || !isCalendarDate(birthdate)) return undefined;
  if (!(GENDERS as readonly unknown[]).includes(gender)) return undefined;
  if (!isObject(address) || !hasOnlyKeys(address, ADDRESS_KEYS)) return undefined;
  const { postal_code, region, locality, street_address, country } = address;
  if (typeof postal_code !== 'string' || !POSTAL_CODE.test(postal_code)) return undefined;
  if (!isText(region, MAX.region) || !isText(locality, MAX.locality) || !isText(street_address, MAX.street_address)) return undefined;
  if (country !== undefined && country !== 'JP') return undefined;
  if ('phone_number' in value && (typeof phone_number !== 'string' || !isJapanesePhoneNumber(phone_number))) return undefined;
  const free = [family_name, given_name, family_name_kana, given_name_kana, birthdate, postal_code, region, locality, street_address];
  if (free.some(containsIndividualNumber)) return undefined;
  const record: IdentityRecord = {
    family_name,
    given_name,
    family_name_kana,
    given_name_kana,
    birthdate,
    gender: gender as IdentityRecord['gender'],
    address: { postal_code, region, locality, street_address, country: 'JP' },
  };
  if (phone_number !== undefined) record.phone_number = phone_number as string;
  return record;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOnlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!Object.hasOwn(o, k) || !allowed.has(k)) return false;
  return true;
}

/** A string the schema's `text(max)` keeps unchanged: no surrounding white space, 1 to `max` long. */
function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max && v.trim() === v;
}

export interface Evidence {
  trust_framework: 'jp_aml';
  assurance_level: AssuranceLevel;
  time: string;
  evidence: { type: string; method: string; time: string }[];
  /** Present and true only for credentials from the sandbox path; verifiers may refuse them. */
  sandbox?: true;
}

export function ageOn(birthdate: string, on: Date): number {
  // YYYY-MM-DD (the schema's format), read in place: batch issuance calls this once per credential.
  const y = Number(birthdate.slice(0, 4));
  const m = Number(birthdate.slice(5, 7));
  const d = Number(birthdate.slice(8, 10));
  let age = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

export function formatAddress(a: IdentityRecord['address']): string {
  const postal = a.postal_code.includes('-') ? a.postal_code : `${a.postal_code.slice(0, 3)}-${a.postal_code.slice(3)}`;
  return `〒${postal} ${a.region}${a.locality}${a.street_address}`;
}

function ageFlags(age: number): Record<string, boolean> {
  const flags: Record<string, boolean> = {};
  for (const t of AGE_THRESHOLDS) flags[t] = age >= t;
  return flags;
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
    age_equal_or_over: ageFlags(age),
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
