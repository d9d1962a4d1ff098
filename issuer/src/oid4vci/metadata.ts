import {
  type ClaimLabel,
  claimLabel,
  DISCLOSABLE_PATHS,
  IDENTITY_CONFIGURATION_ID,
  IDENTITY_VCT,
  type IssuerMetadata,
  PRE_AUTHORIZED_GRANT,
} from '@shomei/shared';

export const IDENTITY_SCOPE = 'jp_identity';

function display({ ja, en }: ClaimLabel): { name: string; locale: string }[] {
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
          display: display({ ja: '本人確認証明書', en: 'Identity credential' }),
          claims: DISCLOSABLE_PATHS.map((path) => ({
            path: [...path],
            display: display(claimLabel(path) ?? { ja: path.join('.'), en: path.join('.') }),
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
