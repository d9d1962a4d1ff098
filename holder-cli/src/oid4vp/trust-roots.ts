import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** The file in the wallet home read when neither --verifier-roots nor SHOMEI_VERIFIER_ROOTS names one. */
export const VERIFIER_ROOTS_FILE = 'verifier-roots.pem';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/**
 * The CA certificates that may vouch for verifiers identified by certificate (x509_san_dns,
 * x509_hash): `--verifier-roots FILE`, else SHOMEI_VERIFIER_ROOTS, else `<home>/verifier-roots.pem`
 * when it exists, else none (such verifiers are then refused as untrusted). A file that was named
 * must exist and hold only CA certificates: a typo must not silently mean "trust nobody".
 */
export function loadVerifierRoots(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): X509Certificate[] {
  const named = option ?? (env.SHOMEI_VERIFIER_ROOTS ? env.SHOMEI_VERIFIER_ROOTS : undefined);
  const file = named ?? join(home, VERIFIER_ROOTS_FILE);
  if (named === undefined && !existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the verifier trust roots ${file}`);
  }
  return parseRootsPem(text, file);
}

export function parseRootsPem(text: string, file = 'the verifier trust roots'): X509Certificate[] {
  const roots: X509Certificate[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
    } catch {
      throw new UsageError(`${file}: a PEM block is not an X.509 certificate`);
    }
    if (!cert.ca) throw new UsageError(`${file}: ${cert.subject.replace(/\n/g, ', ')} is not a CA certificate`);
    roots.push(cert);
  }
  if (roots.length === 0) throw new UsageError(`${file} holds no PEM certificate`);
  return roots;
}
