// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { ShomeiError } from '@shomei/shared';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** Parses one certificate given as PEM, or base64 / base64url DER. */
export function parseCertificate(text: string, what = 'certificate'): x509.X509Certificate {
  try {
    return new x509.X509Certificate(text.trim());
  } catch (cause) {
    throw new ShomeiError('certificate_invalid', `the ${what} is not an X.509 certificate`, { cause });
  }
}

/** Every certificate in a PEM bundle (a trust-anchor file). */
export function parsePemBundle(pem: string, what: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ShomeiError('invalid_request', `${what} holds no PEM certificate`);
  return blocks.map((b) => parseCertificate(b, what));
}

export function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

/** A certificate's SHA-256 fingerprint, hex. */
export async function fingerprint(cert: x509.X509Certificate): Promise<string> {
  return Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex');
}
