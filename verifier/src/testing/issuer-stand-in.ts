import {
  generateEs256KeyPair,
  type IdentityRecord,
  type KeyPair,
  type PublicJwk,
  presentSdJwtVc,
  StatusList,
  signStatusListToken,
} from '@shomei/shared';
import { issueTestIdentityCredential, samplePerson, serveOnLoopback } from '@shomei/shared/testing';
import { Hono } from 'hono';

/** A person's record as a KYC body proved it (the sample person as 太郎; test data, not a real person). */
export const RECORD: IdentityRecord = samplePerson({ given_name: '太郎', given_name_kana: 'タロウ', gender: 'male' });

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
  const server = await serveOnLoopback(app.fetch);
  const iss = server.origin;

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
      return issueTestIdentityCredential({ iss, kid, key }, o.holderJwk ?? HOLDER.publicJwk, {
        record: RECORD,
        issuedAt,
        ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
        ...(o.vct ? { vct: o.vct } : {}),
        statusIdx: o.idx ?? 7,
        assurance: standIn.assurance,
        sandbox: o.sandbox === true,
      });
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
    close: () => server.close(),
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
