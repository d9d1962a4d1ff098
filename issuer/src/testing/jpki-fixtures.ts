// Test support only: a test CA, applicant certificates and a CRL served from memory.
import { createPrivateKey, sign } from 'node:crypto';
import { createAdminToken } from '../admin/tokens.js';
import type { JpkiAttributes } from '../proofing/jpki/attributes.js';
import { CrlStore } from '../proofing/jpki/crl-store.js';
import { type ApplicantCertificate, createCrl, createTestCa, issueApplicantCertificate, type TestCa } from '../proofing/jpki/test-ca.js';
import type { JpkiTrust } from '../proofing/jpki/verify.js';
import { type Harness, jsonRequest } from './harness.js';

export const taroJpki: JpkiAttributes = { name: '山田 太郎', gender: '1', birthdate: '19910814', address: '東京都千代田区千代田1-1' };
export const supplement = { family_name_kana: 'ヤマダ', given_name_kana: 'タロウ', postal_code: '100-0001' };

export interface JpkiWorld {
  ca: TestCa;
  trust: JpkiTrust;
  /** Serials currently on the CRL; `publish()` signs a new CRL from them. */
  revoked: { serial: string; date: string }[];
  publish(): Promise<void>;
  applicant(attrs?: JpkiAttributes, options?: Parameters<typeof issueApplicantCertificate>[2]): Promise<ApplicantCertificate>;
}

/** A CA valid around `now` with a CRL the issuer reads through an in-memory loader. */
export async function jpkiWorld(now: Date): Promise<JpkiWorld> {
  const { ca } = await createTestCa({ now: new Date(now.getTime() - 30 * 86_400_000) });
  let crlPem = '';
  const world: JpkiWorld = {
    ca,
    revoked: [],
    trust: {
      anchors: [ca.cert],
      crls: new CrlStore({ locations: ['memory:crl'], refreshSeconds: 3600, load: async () => crlPem }),
    },
    async publish() {
      crlPem = (await createCrl(ca, world.revoked, { thisUpdate: new Date(now.getTime() - 3600_000) })).toString('pem');
    },
    applicant: (attrs = taroJpki, options = {}) =>
      issueApplicantCertificate(ca, attrs, {
        notBefore: new Date(now.getTime() - 86_400_000),
        notAfter: new Date(now.getTime() + 365 * 86_400_000),
        ...options,
      }),
  };
  await world.publish();
  return world;
}

export function signChallenge(keyPem: string, challenge: string): string {
  return sign('sha256', Buffer.from(challenge, 'utf8'), createPrivateKey(keyPem)).toString('base64url');
}

export interface StartedJpki {
  id: string;
  secret: string;
  challenge: string;
}

export async function startJpki(h: Harness): Promise<StartedJpki> {
  const res = await jsonRequest(h, 'POST', '/v1/applications', { method: 'jpki' });
  if (res.status !== 201) throw new Error(`applications answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as StartedJpki;
}

export function submitJpki(h: Harness, app: StartedJpki, chain: string[], signature: string, challenge = app.challenge): Promise<Response> {
  return jsonRequest(
    h,
    'POST',
    `/v1/applications/${app.id}/jpki`,
    { certificate_chain: chain, challenge, signature, supplement },
    app.secret,
  );
}

export async function adminToken(h: Harness, scopes: ('review' | 'issue' | 'revoke' | 'audit')[], name = 'tester'): Promise<string> {
  return (await createAdminToken(h.deps.sql, h.now(), name, scopes)).token;
}
