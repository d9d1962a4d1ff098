import { createPrivateKey, sign } from 'node:crypto';
import { UsageError } from '../errors.js';

/** PEM certificates in a file, in order (the signing certificate first). */
export function pemCertificates(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError('the certificate file holds no PEM certificate');
  return blocks;
}

/**
 * Signs the issuer's challenge with the signing certificate's private key (SHA-256; PKCS#1 v1.5
 * for RSA as on the My Number card, DER ECDSA for EC keys). Returns base64url.
 */
export function signChallenge(keyPem: string, challenge: string): string {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new UsageError('the key file is not a PEM private key');
  }
  return sign('sha256', Buffer.from(challenge, 'utf8'), key).toString('base64url');
}
