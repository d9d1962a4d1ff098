import { type DcqlQuery, IDENTITY_VCT } from '@shomei/shared';

/** The DCQL credential query id; the wallet keys its `vp_token` by it. */
export const CREDENTIAL_QUERY_ID = 'identity';

const ADDRESS_PARTS = [
  ['address', 'postal_code'],
  ['address', 'region'],
  ['address', 'locality'],
  ['address', 'street_address'],
] as const;

export const PRESETS = {
  age_over_20: {
    paths: [['age_equal_or_over', '20']],
    purpose: '年齢確認 (20歳以上) / Age check (20+)',
  },
  age_over_18: {
    paths: [['age_equal_or_over', '18']],
    purpose: '年齢確認 (18歳以上) / Age check (18+)',
  },
  identity_basic: {
    paths: [['family_name'], ['given_name'], ['birthdate'], ['address']],
    purpose: '本人確認 (氏名・生年月日・住所) / Identity verification (name, date of birth, address)',
  },
  identity_full: {
    paths: [
      ['family_name'],
      ['given_name'],
      ['family_name#ja-Kana-JP'],
      ['given_name#ja-Kana-JP'],
      ['birthdate'],
      ['gender'],
      ['phone_number'],
      ['address'],
      ...ADDRESS_PARTS,
    ],
    purpose: '本人確認 (氏名・フリガナ・生年月日・性別・電話番号・住所) / Full identity verification',
  },
  address_only: {
    paths: [['address'], ...ADDRESS_PARTS],
    purpose: '住所確認 / Address check',
  },
} as const satisfies Record<string, { paths: readonly (readonly string[])[]; purpose: string }>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export const CUSTOM_PURPOSE = '本人確認 / Identity verification';

/**
 * The DCQL query for required and optional claim paths (contract 2): every claim has an id
 * (`c0`, `c1`, …, required first); with optional claims, `claim_sets` is `[[all…], [required…]]`.
 */
export function dcqlQueryFor(paths: readonly (readonly string[])[], optional: readonly (readonly string[])[] = []): DcqlQuery {
  const all = [...paths, ...optional];
  const claims = all.map((path, i) => ({ id: `c${i}`, path: [...path] }));
  const query: DcqlQuery['credentials'][number] = {
    id: CREDENTIAL_QUERY_ID,
    format: 'dc+sd-jwt',
    meta: { vct_values: [IDENTITY_VCT] },
    claims,
  };
  if (optional.length > 0) {
    query.claim_sets = [claims.map((c) => c.id), claims.slice(0, paths.length).map((c) => c.id)];
  }
  return { credentials: [query] };
}
