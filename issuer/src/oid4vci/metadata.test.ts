import {
  authorizationServerMetadataSchema,
  DISCLOSABLE_PATHS,
  didWebForOrigin,
  IDENTITY_CONFIGURATION_ID,
  IDENTITY_VCT,
  issuerMetadataSchema,
  PRE_AUTHORIZED_GRANT,
  publicKeyFromJwk,
} from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { BASE, useHarness } from '../testing/harness.js';

// One issuer for the whole file: these tests only read the discovery documents.
const h = useHarness('all');

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await h.app.request(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('discovery documents', () => {
  it('publishes OpenID4VCI issuer metadata for the identity credential', async () => {
    const meta = issuerMetadataSchema.parse(await getJson('/.well-known/openid-credential-issuer'));
    expect(meta.credential_issuer).toBe(BASE);
    expect(meta.credential_endpoint).toBe(`${BASE}/credential`);
    expect(meta.nonce_endpoint).toBe(`${BASE}/nonce`);
    expect(meta.authorization_servers).toEqual([BASE]);
    expect(meta.display?.[0]).toMatchObject({ name: 'Shomei Issuer', locale: 'ja-JP' });
    const config = meta.credential_configurations_supported[IDENTITY_CONFIGURATION_ID] as Record<string, unknown>;
    expect(config).toMatchObject({
      format: 'dc+sd-jwt',
      vct: IDENTITY_VCT,
      scope: 'jp_identity',
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
    });
    const claims = (config.credential_metadata as { claims: { path: string[]; display: { name: string; locale: string }[] }[] }).claims;
    expect(claims.map((c) => c.path)).toEqual(DISCLOSABLE_PATHS.map((p) => [...p]));
    expect(claims.find((c) => c.path.join('.') === 'age_equal_or_over.20')?.display).toEqual([
      { name: '20歳以上', locale: 'ja-JP' },
      { name: 'Age 20 or over', locale: 'en-US' },
    ]);
    for (const c of claims) expect(c.display[0]?.name, c.path.join('.')).not.toBe(c.path.join('.'));
  });

  it('publishes authorization server metadata for the pre-authorized grant', async () => {
    const meta = await getJson('/.well-known/oauth-authorization-server');
    expect(authorizationServerMetadataSchema.parse(meta)).toEqual({
      issuer: BASE,
      token_endpoint: `${BASE}/token`,
      grant_types_supported: [PRE_AUTHORIZED_GRANT],
      'pre-authorized_grant_anonymous_access_supported': true,
    });
  });

  it('publishes the signing keys in jwt-vc-issuer and the did:web document', async () => {
    const jwks = (await getJson('/.well-known/jwt-vc-issuer')) as { issuer: string; jwks: { keys: Record<string, unknown>[] } };
    expect(jwks.issuer).toBe(BASE);
    expect(jwks.jwks.keys).toHaveLength(1);
    const [key] = jwks.jwks.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', kid: h.deps.keys.current.kid, alg: 'ES256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    expect(publicKeyFromJwk(key).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const did = didWebForOrigin(BASE);
    const doc = (await getJson('/.well-known/did.json')) as { id: string; verificationMethod: { id: string; publicKeyJwk: unknown }[] };
    expect(doc.id).toBe('did:web:127.0.0.1%3A4000');
    expect(doc.id).toBe(did);
    expect(doc.verificationMethod).toEqual([
      expect.objectContaining({ id: `${did}#${h.deps.keys.current.kid}`, controller: did, publicKeyJwk: key }),
    ]);
  });

  it('answers unknown paths with problem+json and sets secure headers', async () => {
    const res = await h.app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
    const meta = await h.app.request('/.well-known/openid-credential-issuer');
    expect(meta.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
