import type { SdAlg } from '@shomei/shared';

/** Lifetimes and sizes the issuer works with; every one can be overridden (tests shorten them). */
export interface IssuerSettings {
  /** How long a pre-authorized code can be redeemed. */
  offerTtlSeconds: number;
  /** Wrong tx_code attempts after which a pre-authorized code is dead. */
  txCodeMaxAttempts: number;
  txCodeLength: number;
  accessTokenTtlSeconds: number;
  nonceTtlSeconds: number;
  /** How old a proof JWT's `iat` may be, and how far in the future it may lie. */
  proofMaxAgeSeconds: number;
  proofFutureSkewSeconds: number;
  credentialValidityDays: number;
  statusListSize: number;
  /** Seconds a verifier may cache the status list, and how long its token is valid. */
  statusListTtlSeconds: number;
  statusListValiditySeconds: number;
  /** Proofs (and so credentials) per credential request: OpenID4VCI batch issuance. */
  batchSize: number;
  /** Applications a single client address may start per minute. */
  applicationsPerMinute: number;
  /** By-reference credential offers (`GET /credential-offer/<code>`) a single client address may fetch per minute. */
  offerFetchesPerMinute: number;
  /** How long a JPKI challenge can be signed. */
  challengeTtlSeconds: number;
  /** Largest accepted image upload, per file. */
  maxUploadBytes: number;
  /** Offers an approved application may ask for (a lost or expired offer can be replaced). */
  maxOffersPerApplication: number;
  /** How often every certificate behind an issued credential is checked against its CRL again. */
  crlRecheckSeconds: number;
  /** How long a fetched CRL is used before it is read again. */
  crlRefreshSeconds: number;
  /** Display name in the issuer metadata. */
  displayName: string;
  /**
   * The digest of the credentials' disclosures, their `_sd_alg` (RFC 9901 §4.1.1, an IANA Named
   * Information Hash Algorithm name: sha-256, sha-384, sha-512, sha3-256, sha3-384, sha3-512).
   * Wallets make the key binding's sd_hash with the same one.
   */
  sdAlg: SdAlg;
}

export const DEFAULT_SETTINGS: IssuerSettings = {
  offerTtlSeconds: 10 * 60,
  txCodeMaxAttempts: 5,
  txCodeLength: 6,
  accessTokenTtlSeconds: 5 * 60,
  nonceTtlSeconds: 5 * 60,
  proofMaxAgeSeconds: 5 * 60,
  proofFutureSkewSeconds: 60,
  credentialValidityDays: 365,
  statusListSize: 131_072,
  statusListTtlSeconds: 300,
  statusListValiditySeconds: 24 * 60 * 60,
  batchSize: 10,
  applicationsPerMinute: 10,
  offerFetchesPerMinute: 30,
  challengeTtlSeconds: 5 * 60,
  maxUploadBytes: 4 * 1024 * 1024,
  maxOffersPerApplication: 3,
  crlRecheckSeconds: 6 * 60 * 60,
  crlRefreshSeconds: 60 * 60,
  displayName: 'Shomei Issuer',
  sdAlg: 'sha-256',
};
