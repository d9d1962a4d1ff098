import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import {
  generateEs256KeyPair,
  IDENTITY_VCT,
  type IdentityRecord,
  identityClaims,
  issueSdJwtVc,
  type KeyPair,
  type PublicJwk,
  presentSdJwtVc,
  StatusList,
  signStatusListToken,
} from '@shomei/shared';
import { Hono } from 'hono';

/** A person's record as a KYC body proved it (test data, not a real person). */
export const RECORD: IdentityRecord = {
  family_name: '山田',
  given_name: '太郎',
  family_name_kana: 'ヤマダ',
  given_name_kana: 'タロウ',
  birthdate: '1991-08-14',
  gender: 'male',
  phone_number: '090-1234-5678',
  address: { postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1', country: 'JP' },
};

export const ADDRESS_PATHS = ['postal_code', 'region', 'locality', 'street_address', 'formatted', 'country'].map((p) => ['address', p]);

export interface IssueOptions {
  issuedAt?: Date;
  expiresAt?: Date;
  idx?: number;
  vct?: string;
  sandbox?: boolean;
  holderJwk?: PublicJwk;
}

export interface IssuerStandIn {
  iss: string;
  kid: string;
  key: KeyPair;
  statusUri: string;
  list: StatusList;
  /** Served `ttl` of the status list token, seconds. */
  ttl: number;
  fetches: { jwks: number; status: number };
  /** When set, the metadata endpoint names this issuer instead of its own URL. */
  claimedIssuer?: string;
  /** Served at `/.well-known/shomei-accreditations` (contract 3). */
  accreditations: string[];
  /** The assurance level its credentials assert (default IAL2). */
  assurance: string;
  issue(options?: IssueOptions): Promise<string>;
  statusToken(): string;
  close(): Promise<void>;
}

/**
 * A real issuer over real HTTP on 127.0.0.1 (port 0), built from shared: its keys at
 * `/.well-known/jwt-vc-issuer`, a signed status list at `/status-lists/1`, credentials issued
 * with the same `issueSdJwtVc` the issuer service uses.
 */
export async function startIssuerStandIn(now: () => Date, options: { ttl?: number } = {}): Promise<IssuerStandIn> {
  const key = generateEs256KeyPair();
  const kid = 'issuer-key-1';
  const app = new Hono();
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const iss = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const standIn: IssuerStandIn = {
    iss,
    kid,
    key,
    statusUri: `${iss}/status-lists/1`,
    list: StatusList.empty(1024, 2),
    ttl: options.ttl ?? 300,
    fetches: { jwks: 0, status: 0 },
    accreditations: [],
    assurance: 'IAL2',
    async issue(o = {}) {
      const issuedAt = o.issuedAt ?? new Date(now().getTime() - 60_000);
      return issueSdJwtVc(
        { kid, privateKey: key.privateKey, publicJwk: key.publicJwk },
        {
          issuer: iss,
          vct: o.vct ?? IDENTITY_VCT,
          claims: identityClaims(RECORD, issuedAt),
          visible: {
            verification: {
              trust_framework: 'jp_aml',
              assurance_level: standIn.assurance,
              time: issuedAt.toISOString(),
              evidence: [{ type: 'sandbox', method: 'sandbox', time: issuedAt.toISOString() }],
              ...(o.sandbox ? { sandbox: true } : {}),
            },
          },
          holderJwk: o.holderJwk ?? HOLDER.publicJwk,
          status: { idx: o.idx ?? 7, uri: `${iss}/status-lists/1` },
          issuedAt,
          expiresAt: o.expiresAt ?? new Date(issuedAt.getTime() + 365 * 86_400_000),
          containersNotDisclosable: ['age_equal_or_over'],
        },
      );
    },
    statusToken() {
      return signStatusListToken({
        issuer: iss,
        uri: standIn.statusUri,
        list: standIn.list,
        issuedAt: now(),
        ttl: standIn.ttl,
        validFor: 86_400,
        key: key.privateKey,
        kid,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };

  app.get('/.well-known/jwt-vc-issuer', (c) => {
    standIn.fetches.jwks++;
    return c.json({ issuer: standIn.claimedIssuer ?? iss, jwks: { keys: [{ ...key.publicJwk, kid, alg: 'ES256', use: 'sig' }] } });
  });
  app.get('/.well-known/shomei-accreditations', (c) => c.json({ accreditations: standIn.accreditations }));
  app.get('/status-lists/1', (c) => {
    standIn.fetches.status++;
    return c.body(standIn.statusToken(), 200, { 'content-type': 'application/statuslist+jwt' });
  });
  return standIn;
}

/** The wallet's key pair (the credential is bound to it). */
export const HOLDER = generateEs256KeyPair();

export function present(credential: string, paths: readonly (readonly string[])[], kb: { nonce: string; aud: string; iat: Date }) {
  return presentSdJwtVc(credential, paths, { holderKey: HOLDER.privateKey, ...kb });
}
