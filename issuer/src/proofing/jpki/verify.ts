import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { ShomeiError } from '@shomei/shared';
import { type JpkiAttributes, readJpkiAttributes } from './attributes.js';
import type { CrlStore } from './crl-store.js';
import { fingerprint, parseCertificate, x509 } from './x509.js';

export interface JpkiTrust {
  /** The CAs whose signing certificates are accepted (for JPKI: the J-LIS signing CA). */
  anchors: x509.X509Certificate[];
  crls: CrlStore;
}

export interface VerifiedJpki {
  attributes: JpkiAttributes;
  /** Issuer DN and serial (hex) of the signing certificate: what later CRL checks look for. */
  certIssuer: string;
  certSerial: string;
  certFingerprint: string;
  notAfter: string;
}

const MAX_CHAIN = 5;

/**
 * Verifies a JPKI-style submission: the certificate chain up to a configured anchor (signatures,
 * validity, CA constraints, key usage), the leaf's revocation on its CA's CRL, and the signature
 * over the challenge made with the leaf's key (RSA PKCS#1 v1.5 or ECDSA, SHA-256).
 */
export async function verifyJpkiSubmission(
  input: { chain: string[]; signature: Uint8Array; challenge: string },
  trust: JpkiTrust,
  now: Date,
): Promise<VerifiedJpki> {
  if (input.chain.length === 0 || input.chain.length > MAX_CHAIN) {
    throw new ShomeiError('invalid_request', `certificate_chain must hold 1 to ${MAX_CHAIN} certificates, the signing certificate first`);
  }
  const certs = input.chain.map((c, i) => parseCertificate(c, i === 0 ? 'signing certificate' : `chain certificate ${i}`));
  const leaf = certs[0] as x509.X509Certificate;

  // Build the path: from the leaf, each next certificate is the issuer of the one before, until an anchor.
  const path: x509.X509Certificate[] = [leaf];
  let anchor: x509.X509Certificate | undefined;
  for (let current = leaf; path.length <= MAX_CHAIN; ) {
    const trusted = trust.anchors.find((a) => a.subject === current.issuer);
    if (trusted && (await current.verify({ publicKey: trusted, signatureOnly: true }))) {
      anchor = trusted;
      break;
    }
    const next = certs.find((c) => !path.includes(c) && c.subject === current.issuer);
    if (!next || !(await current.verify({ publicKey: next, signatureOnly: true }))) break;
    requireCa(next);
    path.push(next);
    current = next;
  }
  if (!anchor) throw new ShomeiError('certificate_untrusted', 'the certificate does not chain to a trusted certificate authority');
  requireCa(anchor);

  for (const cert of [...path, anchor]) {
    if (cert.notBefore.getTime() > now.getTime())
      throw new ShomeiError('certificate_expired', 'a certificate in the chain is not valid yet');
    if (cert.notAfter.getTime() <= now.getTime()) throw new ShomeiError('certificate_expired', 'a certificate in the chain has expired');
  }
  const usage = leaf.getExtension(x509.KeyUsagesExtension);
  const signs = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation;
  if (!usage || (usage.usages & signs) === 0) {
    throw new ShomeiError('certificate_invalid', 'the certificate is not a signing certificate (key usage)');
  }
  const leafBasic = leaf.getExtension(x509.BasicConstraintsExtension);
  if (leafBasic?.ca) throw new ShomeiError('certificate_invalid', 'a CA certificate cannot be used to sign an application');

  const issuerCert = path[1] ?? anchor;
  const status = await trust.crls.isRevoked(issuerCert, leaf.serialNumber, now);
  if (status.revoked) throw new ShomeiError('certificate_revoked', 'the certificate has been revoked by its certificate authority');

  const key = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' });
  const ok = verifySignature('sha256', Buffer.from(input.challenge, 'utf8'), { key, dsaEncoding: 'der' }, input.signature);
  if (!ok)
    throw new ShomeiError('challenge_signature_invalid', 'the signature over the challenge does not verify with the certificate key');

  return {
    attributes: readJpkiAttributes(leaf),
    certIssuer: leaf.issuer,
    certSerial: leaf.serialNumber.toLowerCase(),
    certFingerprint: await fingerprint(leaf),
    notAfter: leaf.notAfter.toISOString(),
  };
}

function requireCa(cert: x509.X509Certificate): void {
  const basic = cert.getExtension(x509.BasicConstraintsExtension);
  const usage = cert.getExtension(x509.KeyUsagesExtension);
  if (!basic?.ca || (usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0)) {
    throw new ShomeiError('certificate_untrusted', 'a certificate in the chain is not a certificate authority');
  }
}
