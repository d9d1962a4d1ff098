import { createHash, generateKeyPairSync, type JsonWebKey, type KeyObject, randomBytes } from 'node:crypto';
import { type CallbackContext, clientAuthenticationAnonymous, HashAlgorithm, type Jwk } from '@openid4vc/oauth2';
import { type IssuerMetadataResult, Openid4vciClient, Openid4vciVersion, setGlobalConfig } from '@openid4vc/openid4vci';
import { CompactSign } from 'jose';

// A wallet built on the OpenWallet Foundation's OpenID4VCI client (@openid4vc/openid4vci 0.4.6):
// it resolves the offer, the metadata, redeems the pre-authorized code, fetches a c_nonce and asks
// for the credential with the library's own request building and response validation. Only the
// cryptography (signing, hashing, randomness) is ours, on node:crypto and jose, as the library asks.

/**
 * Which dialect the OWF client speaks to the credential endpoint:
 * - `v1`: OpenID4VCI 1.0, `credential_configuration_id` + `proofs.jwt` (one proof per holder key);
 * - `draft15-proof`: a draft-15 client sending the singular `proof` beside `credential_configuration_id`;
 * - `draft14-format`: a draft-13/14 client sending `format` (`vc+sd-jwt`) + `vct` and the singular `proof`.
 * The older dialects are what the library sends when it believes the issuer speaks that draft.
 */
export type OwfDialect = 'v1' | 'draft15-proof' | 'draft14-format';

export interface ObtainCredentialWithOwfOptions {
  /** `openid-credential-offer://?credential_offer=…` or `…?credential_offer_uri=…`. */
  offerUri: string;
  txCode: string;
  /** The P-256 private key the (first) credential is bound to; a fresh one when absent. */
  holderKey?: KeyObject;
  /** How many credentials to ask for in one request (v1 batch: one proof, one fresh key each). Default 1. */
  batch?: number;
  dialect?: OwfDialect;
}

export interface OwfHeldCredential {
  /** The SD-JWT VC as issued (`<jwt>~<disclosure>~…~`). */
  credential: string;
  /** The holder's private key as a JWK: it signs this credential's key-binding JWT. */
  holderPrivateJwk: JsonWebKey;
  holderPublicJwk: JsonWebKey;
  holderKey: KeyObject;
}

export interface ObtainCredentialWithOwfResult extends OwfHeldCredential {
  /** Every credential of the response, in the order of the proofs (the first is the one above). */
  all: OwfHeldCredential[];
  /** The credential response as the library validated it. */
  credentialResponse: Record<string, unknown>;
  /** The credential request body the library sent. */
  credentialRequest: Record<string, unknown>;
  issuerMetadata: IssuerMetadataResult;
}

function publicJwkOf(key: KeyObject): Jwk {
  const { kty, crv, x, y } = key.export({ format: 'jwk' });
  return { kty: kty as string, crv, x, y };
}

async function signJwt(key: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ ...header, alg: 'ES256' }).sign(key);
}

/** The OWF callbacks on node:crypto and jose; `keys` holds the private keys by the thumbprint-free x coordinate. */
function callbacksFor(
  keys: Map<string, KeyObject>,
  sent: { body?: string },
): Omit<CallbackContext, 'verifyJwt' | 'decryptJwe' | 'encryptJwe'> {
  return {
    hash: (data: Uint8Array, alg: HashAlgorithm) => {
      const name = { [HashAlgorithm.Sha256]: 'sha256', [HashAlgorithm.Sha384]: 'sha384', [HashAlgorithm.Sha512]: 'sha512' }[alg];
      return new Uint8Array(createHash(name).update(data).digest());
    },
    generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      if (signer.method !== 'jwk') throw new Error(`this holder signs with jwk keys only, not ${signer.method}`);
      const key = keys.get(String(signer.publicJwk.x));
      if (!key) throw new Error('no private key for the requested signer');
      return { jwt: await signJwt(key, header, payload), signerJwk: signer.publicJwk };
    },
    // Keep the body the library sends, so that a test can assert which request shape went out.
    fetch: async (input, init) => {
      if (typeof init?.body === 'string') sent.body = init.body;
      return fetch(input, init);
    },
  };
}

const DRAFT_OF: Record<OwfDialect, Openid4vciVersion | undefined> = {
  v1: undefined,
  'draft15-proof': Openid4vciVersion.Draft15,
  'draft14-format': Openid4vciVersion.Draft14,
};

/**
 * Obtains SD-JWT VCs from a Shomei issuer (or any OpenID4VCI issuer with the pre-authorized code
 * flow and tx_code) the way an OWF-based wallet would. Throws the library's errors as they are.
 */
export async function obtainCredentialWithOwf(opts: ObtainCredentialWithOwfOptions): Promise<ObtainCredentialWithOwfResult> {
  const dialect = opts.dialect ?? 'v1';
  const batch = opts.batch ?? 1;
  if (batch < 1 || (batch > 1 && dialect !== 'v1')) throw new Error('a batch needs the v1 dialect (proofs)');
  // The tests run the issuer on loopback over plain http, which the library refuses by default.
  setGlobalConfig({ allowInsecureUrls: true });

  const holderKeys = [opts.holderKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey];
  while (holderKeys.length < batch) holderKeys.push(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const byX = new Map(holderKeys.map((k) => [String(publicJwkOf(k).x), k]));
  const sent: { body?: string } = {};
  const client = new Openid4vciClient({ callbacks: callbacksFor(byX, sent) });

  const credentialOffer = await client.resolveCredentialOffer(opts.offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const draft = DRAFT_OF[dialect];
  // An older client: the library decides the request shape from the draft it believes the issuer speaks.
  if (draft) issuerMetadata.originalDraftVersion = draft;
  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
  if (!credentialConfigurationId) throw new Error('the offer names no credential configuration');

  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer,
    issuerMetadata,
    txCode: opts.txCode,
  });
  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const jwts = await Promise.all(
    holderKeys.map(async (key) => {
      const { jwt } = await client.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId,
        nonce: c_nonce,
        signer: { method: 'jwk', alg: 'ES256', publicJwk: publicJwkOf(key) },
      });
      return jwt;
    }),
  );
  const proofOptions = dialect === 'v1' ? { proofs: { jwt: jwts } } : { proof: { proof_type: 'jwt' as const, jwt: jwts[0] as string } };
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata,
    credentialConfigurationId,
    accessToken: accessTokenResponse.access_token,
    ...proofOptions,
  });

  const issued = credentialStrings(credentialResponse);
  if (issued.length !== holderKeys.length) throw new Error(`asked for ${holderKeys.length} credentials, got ${issued.length}`);
  const all = issued.map((credential, i) => {
    const holderKey = holderKeys[i] as KeyObject;
    return {
      credential,
      holderKey,
      holderPrivateJwk: holderKey.export({ format: 'jwk' }),
      holderPublicJwk: publicJwkOf(holderKey) as JsonWebKey,
    };
  });
  return {
    ...(all[0] as OwfHeldCredential),
    all,
    credentialResponse: credentialResponse as Record<string, unknown>,
    credentialRequest: JSON.parse(sent.body ?? '{}') as Record<string, unknown>,
    issuerMetadata,
  };
}

/** The credentials of a response in any of its draft shapes: `credential`, `credentials: [string]`, `credentials: [{credential}]`. */
function credentialStrings(response: { credential?: unknown; credentials?: unknown[] }): string[] {
  const list = response.credentials ?? (response.credential === undefined ? [] : [response.credential]);
  return list.map((c) => {
    const value = typeof c === 'object' && c !== null && 'credential' in c ? (c as { credential: unknown }).credential : c;
    if (typeof value !== 'string') throw new Error('an SD-JWT VC credential must be a string');
    return value;
  });
}
