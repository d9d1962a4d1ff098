import { type DcqlQuery, IDENTITY_VCT } from '@shomei/shared';

/** The DCQL credential query id; the wallet keys its `vp_token` by it. */
export const CREDENTIAL_QUERY_ID = 'identity';

export const PRESETS = {
  age_over_20: {
    paths: [['age_equal_or_over', '20']],
    purpose: '年齢確認 (20歳以上) / Age check (20+)',
  },
  identity_basic: {
    paths: [['family_name'], ['given_name'], ['birthdate'], ['address']],
    purpose: '本人確認 (氏名・生年月日・住所) / Identity verification (name, date of birth, address)',
  },
} as const satisfies Record<string, { paths: readonly (readonly string[])[]; purpose: string }>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export const CUSTOM_PURPOSE = '本人確認 / Identity verification';

export function dcqlQueryFor(paths: readonly (readonly string[])[]): DcqlQuery {
  return {
    credentials: [
      {
        id: CREDENTIAL_QUERY_ID,
        format: 'dc+sd-jwt',
        meta: { vct_values: [IDENTITY_VCT] },
        claims: paths.map((path) => ({ path: [...path] })),
      },
    ],
  };
}
