import {
  AGE_THRESHOLDS,
  DISCLOSABLE_PATHS,
  IDENTITY_CONFIGURATION_ID,
  IDENTITY_VCT,
  type IssuerMetadata,
  KANA_FAMILY,
  KANA_GIVEN,
  PRE_AUTHORIZED_GRANT,
} from '@shomei/shared';

export const IDENTITY_SCOPE = 'jp_identity';

type Label = [ja: string, en: string];

const CLAIM_LABELS: Record<string, Label> = {
  family_name: ['姓', 'Family name'],
  given_name: ['名', 'Given name'],
  [KANA_FAMILY]: ['姓（カナ）', 'Family name (kana)'],
  [KANA_GIVEN]: ['名（カナ）', 'Given name (kana)'],
  birthdate: ['生年月日', 'Date of birth'],
  gender: ['性別', 'Gender'],
  phone_number: ['電話番号', 'Phone number'],
  address: ['住所', 'Address'],
  'address.postal_code': ['郵便番号', 'Postal code'],
  'address.region': ['都道府県', 'Prefecture'],
  'address.locality': ['市区町村', 'City'],
  'address.street_address': ['番地', 'Street address'],
  'address.formatted': ['住所（全体）', 'Full address'],
  'address.country': ['国', 'Country'],
  ...Object.fromEntries(AGE_THRESHOLDS.map((t) => [`age_equal_or_over.${t}`, [`${t}歳以上`, `Age ${t} or over`] as Label])),
};

function display([ja, en]: Label): { name: string; locale: string }[] {
  return [
    { name: ja, locale: 'ja-JP' },
    { name: en, locale: 'en-US' },
  ];
}

/** `/.well-known/openid-credential-issuer` (OpenID4VCI 1.0 §12.2). */
export function issuerMetadata(baseUrl: string, displayName: string, batchSize = 10): IssuerMetadata {
  return {
    credential_issuer: baseUrl,
    credential_endpoint: `${baseUrl}/credential`,
    nonce_endpoint: `${baseUrl}/nonce`,
    authorization_servers: [baseUrl],
    batch_credential_issuance: { batch_size: batchSize },
    display: [
      { name: displayName, locale: 'ja-JP' },
      { name: displayName, locale: 'en-US' },
    ],
    credential_configurations_supported: {
      [IDENTITY_CONFIGURATION_ID]: {
        format: 'dc+sd-jwt',
        vct: IDENTITY_VCT,
        scope: IDENTITY_SCOPE,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: {
          display: display(['本人確認証明書', 'Identity credential']),
          claims: DISCLOSABLE_PATHS.map((path) => ({
            path: [...path],
            display: display(CLAIM_LABELS[path.join('.')] ?? [path.join('.'), path.join('.')]),
          })),
        },
      },
    },
  };
}

/** `/.well-known/oauth-authorization-server` (RFC 8414) for the pre-authorized code grant only. */
export function authorizationServerMetadata(baseUrl: string): Record<string, unknown> {
  return {
    issuer: baseUrl,
    token_endpoint: `${baseUrl}/token`,
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}
