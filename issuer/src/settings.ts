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
  /** Display name in the issuer metadata. */
  displayName: string;
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
  displayName: 'Shomei Issuer',
};
