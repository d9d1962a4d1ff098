/** The client identifier prefixes of OpenID4VP 1.0 §5.9.3 this wallet can authenticate (or, for redirect_uri, name). */
export type ClientIdPrefix = 'decentralized_identifier' | 'x509_san_dns' | 'x509_hash' | 'redirect_uri';

/** What a verifier's certificate chain proved, for the consent screen. */
export interface CertificateIdentity {
  /** Subject DN of the leaf certificate that signed the request. */
  subject: string;
  /** dNSName SAN entries of the leaf. */
  dnsNames: string[];
  /** Subject DN of the configured trust root the chain ends at. */
  root: string;
  /** base64url SHA-256 of the DER leaf (the x509_hash value). */
  sha256: string;
}

/**
 * How the wallet identified the verifier. `verified` is true only when the request object's
 * signature was checked with a key the identity itself proves (a DID document, or a certificate
 * chain to a root the person configured); everything else the verifier says about itself is a claim.
 */
export interface VerifierIdentity {
  prefix: ClientIdPrefix;
  /** The client_id without its prefix: a DID, a DNS name, a certificate hash or a URI. */
  value: string;
  verified: boolean;
  /** The key that signed the request: a DID URL, `x5c` for the leaf certificate; null when unsigned. */
  kid: string | null;
  certificate: CertificateIdentity | null;
}
