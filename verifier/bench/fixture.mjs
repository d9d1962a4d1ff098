// The verifier benchmarks' presentation: an identity SD-JWT VC with key binding and 6 disclosures,
// a status list of 1,024 entries and one of 131,072, all signed by a fresh issuer key for `iss`.
import {
  generateEs256KeyPair,
  IDENTITY_VCT,
  identityClaims,
  issueSdJwtVc,
  presentSdJwtVc,
  StatusList,
  signStatusListToken,
} from '@shomei/shared';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';

export const ISS = 'https://kyc.bench.example';
export const NONCE = 'bench-nonce-0123456789abcdef';
export const AUD = 'decentralized_identifier:did:web:verifier.bench.example';
export const PATHS = [['family_name'], ['given_name'], ['family_name#ja-Kana-JP'], ['given_name#ja-Kana-JP'], ['birthdate'], ['gender']];

export async function fixture(iss = ISS) {
  const STATUS_URI = `${iss}/status-lists/1`;
  const BIG_URI = `${iss}/status-lists/big`;
  const issuer = generateEs256KeyPair();
  const holder = generateEs256KeyPair();
  const now = new Date();
  const issue = (uri, idx) =>
    issueSdJwtVc(
      { kid: 'k1', privateKey: issuer.privateKey, publicJwk: issuer.publicJwk },
      {
        issuer: iss,
        vct: IDENTITY_VCT,
        claims: identityClaims(SAMPLE_IDENTITY, now),
        visible: {
          verification: {
            trust_framework: 'jp_aml',
            assurance_level: 'IAL2',
            time: now.toISOString(),
            evidence: [{ type: 'document', method: 'document' }],
          },
        },
        holderJwk: holder.publicJwk,
        status: { idx, uri },
        issuedAt: new Date(now.getTime() - 60_000),
        expiresAt: new Date(now.getTime() + 86_400_000),
        containersNotDisclosable: ['age_equal_or_over'],
      },
    );
  const kb = { holderKey: holder.privateKey, nonce: NONCE, aud: AUD, iat: now };
  const vp = await presentSdJwtVc(await issue(STATUS_URI, 7), PATHS, kb);
  const vpBig = await presentSdJwtVc(await issue(BIG_URI, 100_000), PATHS, kb);
  const small = signStatusListToken({
    issuer: iss,
    uri: STATUS_URI,
    list: StatusList.empty(1024, 2),
    issuedAt: now,
    ttl: 3600,
    validFor: 86_400,
    key: issuer.privateKey,
    kid: 'k1',
  });
  const bigList = StatusList.empty(131_072, 2);
  for (let i = 0; i < 131_072; i += 97) bigList.set(i, 1); // not all zeros: a realistic deflate
  const big = signStatusListToken({
    issuer: iss,
    uri: BIG_URI,
    list: bigList,
    issuedAt: now,
    ttl: 3600,
    validFor: 86_400,
    key: issuer.privateKey,
    kid: 'k1',
  });
  return {
    iss,
    statusUri: STATUS_URI,
    bigUri: BIG_URI,
    issuerJwk: { ...issuer.publicJwk, kid: 'k1' },
    holderJwk: holder.publicJwk,
    vp,
    vpBig,
    small,
    big,
  };
}
