import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { ShomeiError } from '../errors.js';

/**
 * AES-256-GCM encryption of key material under a key derived with scrypt (memory-hard) from a
 * passphrase or service secret. The KDF salt and parameters live beside the ciphertexts, never
 * the passphrase. A wrong passphrase fails the GCM tag check and says so.
 */
export interface KdfParams {
  salt: string; // base64
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_KDF: Omit<KdfParams, 'salt'> = { N: 2 ** 15, r: 8, p: 1 };

export function newKdfParams(): KdfParams {
  return { salt: randomBytes(16).toString('base64'), ...DEFAULT_KDF };
}

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static derive(secret: string, params: KdfParams): SecretBox {
    if (secret.length === 0) throw new ShomeiError('invalid_request', 'passphrase must not be empty');
    const key = scryptSync(secret.normalize('NFKC'), Buffer.from(params.salt, 'base64'), 32, {
      N: params.N,
      r: params.r,
      p: params.p,
      maxmem: 256 * params.N * params.r,
    });
    return new SecretBox(key);
  }

  /** Returns `v1.<iv>.<tag>.<ciphertext>` (base64url); `aad` binds the ciphertext to its row. */
  encrypt(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(sealed: string, aad: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new ShomeiError('malformed', 'sealed value has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new ShomeiError('wrong_passphrase', 'could not decrypt: wrong passphrase or secret', { cause });
    }
  }
}
