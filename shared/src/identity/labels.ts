import { AGE_THRESHOLDS, KANA_FAMILY, KANA_GIVEN } from './schema.js';

/** A claim's name for people: Japanese first, English beside it. */
export interface ClaimLabel {
  ja: string;
  en: string;
}

/**
 * The identity credential's claims as people call them: the issuer publishes these in its metadata
 * (`display`), the wallet shows them on the consent screen, the front desk beside each result.
 */
export const IDENTITY_CLAIM_LABELS: Readonly<Record<string, ClaimLabel>> = {
  family_name: { ja: '姓', en: 'Family name' },
  given_name: { ja: '名', en: 'Given name' },
  [KANA_FAMILY]: { ja: '姓（カナ）', en: 'Family name (kana)' },
  [KANA_GIVEN]: { ja: '名（カナ）', en: 'Given name (kana)' },
  birthdate: { ja: '生年月日', en: 'Date of birth' },
  gender: { ja: '性別', en: 'Gender' },
  phone_number: { ja: '電話番号', en: 'Phone number' },
  address: { ja: '住所', en: 'Address' },
  'address.postal_code': { ja: '郵便番号', en: 'Postal code' },
  'address.region': { ja: '都道府県', en: 'Prefecture' },
  'address.locality': { ja: '市区町村', en: 'City' },
  'address.street_address': { ja: '番地', en: 'Street address' },
  'address.formatted': { ja: '住所（全体）', en: 'Full address' },
  'address.country': { ja: '国', en: 'Country' },
  age_equal_or_over: { ja: '年齢', en: 'Age' },
  ...Object.fromEntries(AGE_THRESHOLDS.map((t) => [`age_equal_or_over.${t}`, { ja: `${t}歳以上`, en: `Age ${t} or over` }])),
};

/** The label of a claim path (`['address', 'locality']`), or undefined for a claim outside the identity credential. */
export function claimLabel(path: readonly (string | number | null)[]): ClaimLabel | undefined {
  return IDENTITY_CLAIM_LABELS[path.map((p) => (p === null ? '*' : String(p))).join('.')];
}
