import { createHash, X509Certificate } from 'node:crypto';
import { type ParsedJws, ShomeiError } from '@shomei/shared';
import type { CertificateIdentity, VerifierIdentity } from '../verifier-identity.js';
import { verifyRequestSignature } from './signature.js';

const MAX_CHAIN = 6;
const MAX_CERT_B64 = 16 * 1024;
/** A DNS name as x509_san_dns carries it: labels of letters, digits and hyphens. */
const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export interface X509Context {
  /** The CA certificates the person trusts to vouch for verifiers (see trust-roots.ts). */
  roots: readonly X509Certificate[];
  now: Date;
}

/**
 * `x509_san_dns:<dns name>` (OpenID4VP 1.0 §5.9.3): the leaf of the `x5c` chain signed the request,
 * the chain ends at a configured root, a dNSName SAN of the leaf is the client id value, and, as
 * the wallet holds no list of trusted client ids, the response_uri's host is that same name.
 */
export function identifyBySanDns(dnsName: string, jws: ParsedJws, responseUri: URL, ctx: X509Context): VerifierIdentity {
  if (!DNS_NAME.test(dnsName)) throw new ShomeiError('request_invalid', 'an x509_san_dns client id must be a DNS name');
  const certificate = verifyX5cRequest(jws, ctx);
  if (!certificate.dnsNames.some((n) => n.toLowerCase() === dnsName.toLowerCase())) {
    throw new ShomeiError('request_invalid', "the client id's DNS name is not a dNSName of the verifier's certificate");
  }
  if (responseUri.hostname.toLowerCase() !== dnsName.toLowerCase()) {
    throw new ShomeiError('request_invalid', "the response_uri's host is not the verifier's certificate DNS name");
  }
  return { prefix: 'x509_san_dns', value: dnsName, verified: true, kid: 'x5c', certificate };
}

/**
 * `x509_hash:<b64url SHA-256 of the DER leaf>` (OpenID4VP 1.0 §5.9.3): the same chain checks, and
 * the hash must be the leaf's. The spec binds no response_uri here; the consent screen shows
 * where the answer goes.
 */
export function identifyByCertificateHash(hash: string, jws: ParsedJws, ctx: X509Context): VerifierIdentity {
  const certificate = verifyX5cRequest(jws, ctx);
  if (certificate.sha256 !== hash) {
    throw new ShomeiError('request_invalid', "the client id's certificate hash is not the hash of the verifier's certificate");
  }
  return { prefix: 'x509_hash', value: hash, verified: true, kid: 'x5c', certificate };
}

/**
 * The `x5c` header (RFC 7515 §4.1.6: standard base64 DER, leaf first, each certified by the next)
 * checked against the configured roots at `now`, and the request's signature under the leaf key.
 * A chain that does not reach a root, or breaks on the way, is `verifier_untrusted`.
 */
function verifyX5cRequest(jws: ParsedJws, ctx: X509Context): CertificateIdentity {
  const chain = parseX5c(jws.header.x5c);
  const leaf = chain[0] as X509Certificate;
  // The leaf's key signed this request: checked before any trust decision so that a forged
  // request with someone else's certificate fails as what it is.
  verifyRequestSignature(jws, leaf.publicKey);
  if (ctx.roots.length === 0) {
    throw new ShomeiError(
      'verifier_untrusted',
      'the verifier identifies itself with a certificate, and no verifier trust roots are configured (--verifier-roots, SHOMEI_VERIFIER_ROOTS)',
    );
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    if (!issuer.ca) throw new ShomeiError('verifier_untrusted', "a certificate in the verifier's chain is issued by a non-CA certificate");
    if (!child.checkIssued(issuer) || !child.verify(issuer.publicKey)) {
      throw new ShomeiError('verifier_untrusted', "the verifier's certificate chain is broken (a certificate is not signed by the next)");
    }
  }
  const last = chain[chain.length - 1] as X509Certificate;
  // Verifiers may include the root itself (RFC 7515 allows it) or stop below it.
  const root = ctx.roots.find((r) => r.raw.equals(last.raw)) ?? ctx.roots.find((r) => last.checkIssued(r) && last.verify(r.publicKey));
  if (!root) throw new ShomeiError('verifier_untrusted', "the verifier's certificate chain does not lead to a configured trust root");
  if (!root.ca) throw new ShomeiError('verifier_untrusted', 'the trust root is not a CA certificate');
  for (const cert of root === last ? chain : [...chain, root]) {
    if (!validAt(cert, ctx.now)) {
      throw new ShomeiError('verifier_untrusted', "a certificate in the verifier's chain is expired or not yet valid");
    }
  }
  return {
    subject: oneLine(leaf.subject),
    dnsNames: dnsNames(leaf),
    root: oneLine(root.subject),
    sha256: createHash('sha256').update(leaf.raw).digest('base64url'),
  };
}

function parseX5c(x5c: unknown): X509Certificate[] {
  if (!Array.isArray(x5c) || x5c.length === 0) {
    throw new ShomeiError('request_invalid', 'a request from a certificate-identified verifier must carry an x5c header');
  }
  if (x5c.length > MAX_CHAIN) throw new ShomeiError('request_invalid', `the x5c chain is longer than ${MAX_CHAIN} certificates`);
  return x5c.map((entry) => {
    if (typeof entry !== 'string' || entry.length > MAX_CERT_B64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) {
      throw new ShomeiError('request_invalid', 'an x5c entry is not a base64 certificate');
    }
    try {
      return new X509Certificate(Buffer.from(entry, 'base64'));
    } catch {
      throw new ShomeiError('request_invalid', 'an x5c entry is not a DER X.509 certificate');
    }
  });
}

function validAt(cert: X509Certificate, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(cert.validFrom) <= t && t <= Date.parse(cert.validTo);
}

/** The leaf's dNSName SANs. Node renders the extension as `DNS:a, IP Address:…`; odd entries come quoted and match no DNS name. */
function dnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  return san
    .split(', ')
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice('DNS:'.length))
    .filter((n) => DNS_NAME.test(n));
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
