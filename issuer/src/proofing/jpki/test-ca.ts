import { webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

import { ShomeiError } from '@shomei/shared';
import { type JpkiAttributes, jpkiAttributesExtension } from './attributes.js';
import { x509 } from './x509.js';

/**
 * A test certificate authority shaped like the JPKI signing CA: RSA-2048 keys and SHA-256, an
 * applicant certificate carrying the four basic attributes in subjectAltName, and a CRL. For
 * demonstrations and tests only; its files are plain PEM in one directory.
 */
const RSA: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};
const subtle = webcrypto.subtle;

export const TEST_CA_FILES = {
  cert: 'ca.pem',
  key: 'ca-key.pem',
  crl: 'crl.pem',
  revoked: 'revoked.json',
} as const;

async function newKeys(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importCaKey(pem: string): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), RSA, false, ['sign']);
}

export interface TestCa {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export async function createTestCa(options: { name?: string; now?: Date; years?: number } = {}): Promise<{ ca: TestCa; keyPem: string }> {
  const keys = await newKeys();
  const now = options.now ?? new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: options.name ?? 'CN=Shomei Test JPKI Signing CA, OU=TEST ONLY, O=Shomei, C=JP',
    keys,
    signingAlgorithm: RSA,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + (options.years ?? 10) * 365 * 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { ca: { cert, key: keys.privateKey }, keyPem: await pkcs8Pem(keys.privateKey) };
}

export interface ApplicantCertificate {
  cert: x509.X509Certificate;
  certPem: string;
  keyPem: string;
  serial: string;
}

export async function issueApplicantCertificate(
  ca: TestCa,
  attrs: JpkiAttributes,
  options: { notBefore?: Date; notAfter?: Date; keyUsage?: number } = {},
): Promise<ApplicantCertificate> {
  const keys = await newKeys();
  const now = new Date();
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${serial.slice(0, 16)}JPKI, OU=TEST ONLY, O=Shomei, C=JP`,
    issuer: ca.cert.subject,
    notBefore: options.notBefore ?? new Date(now.getTime() - 86_400_000),
    notAfter: options.notAfter ?? new Date(now.getTime() + 5 * 365 * 86_400_000),
    signingAlgorithm: RSA,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(options.keyUsage ?? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
      jpkiAttributesExtension(attrs),
    ],
  });
  return { cert, certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey), serial: cert.serialNumber.toLowerCase() };
}

export async function createCrl(
  ca: TestCa,
  revoked: { serial: string; date: string }[],
  options: { thisUpdate?: Date; nextUpdate?: Date } = {},
): Promise<x509.X509Crl> {
  const thisUpdate = options.thisUpdate ?? new Date();
  return x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate,
    nextUpdate: options.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * 86_400_000),
    signingAlgorithm: RSA,
    signingKey: ca.key,
    entries: revoked.map((r) => ({ serialNumber: r.serial, revocationDate: new Date(r.date), reason: x509.X509CrlReason.unspecified })),
  });
}

// ----- the directory form used by `shomei-issuer jpki test-ca …`

function writePem(dir: string, name: string, text: string, mode = 0o644): string {
  const path = join(dir, name);
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`, { mode });
  return path;
}

export async function initTestCaDir(dir: string): Promise<{ cert: string; crl: string }> {
  mkdirSync(dir, { recursive: true });
  const { ca, keyPem } = await createTestCa();
  const cert = writePem(dir, TEST_CA_FILES.cert, ca.cert.toString('pem'));
  writePem(dir, TEST_CA_FILES.key, keyPem, 0o600);
  writeFileSync(join(dir, TEST_CA_FILES.revoked), '[]\n');
  const crl = writePem(dir, TEST_CA_FILES.crl, (await createCrl(ca, [])).toString('pem'));
  return { cert, crl };
}

export async function loadTestCaDir(dir: string): Promise<TestCa> {
  try {
    const cert = new x509.X509Certificate(readFileSync(join(dir, TEST_CA_FILES.cert), 'utf8'));
    const key = await importCaKey(readFileSync(join(dir, TEST_CA_FILES.key), 'utf8'));
    return { cert, key };
  } catch (cause) {
    throw new ShomeiError('invalid_request', `no test CA in ${dir} (run jpki test-ca init first)`, { cause });
  }
}

export async function issueIntoDir(
  dir: string,
  name: string,
  attrs: JpkiAttributes,
  options: { expired?: boolean } = {},
): Promise<{ cert: string; key: string; serial: string }> {
  if (!/^[\w.-]{1,64}$/.test(name)) throw new ShomeiError('invalid_request', 'the name must be letters, digits, . _ or -');
  const ca = await loadTestCaDir(dir);
  const now = Date.now();
  const issued = await issueApplicantCertificate(
    ca,
    attrs,
    options.expired ? { notBefore: new Date(now - 400 * 86_400_000), notAfter: new Date(now - 30 * 86_400_000) } : {},
  );
  return {
    cert: writePem(dir, `${name}.pem`, issued.certPem),
    key: writePem(dir, `${name}-key.pem`, issued.keyPem, 0o600),
    serial: issued.serial,
  };
}

export async function revokeInDir(dir: string, certPem: string): Promise<{ serial: string; crl: string; revoked: number }> {
  const ca = await loadTestCaDir(dir);
  const cert = new x509.X509Certificate(certPem);
  if (cert.issuer !== ca.cert.subject) throw new ShomeiError('invalid_request', 'the certificate was not issued by this test CA');
  const listFile = join(dir, TEST_CA_FILES.revoked);
  const list = JSON.parse(readFileSync(listFile, 'utf8')) as { serial: string; date: string }[];
  const serial = cert.serialNumber.toLowerCase();
  if (!list.some((r) => r.serial === serial)) list.push({ serial, date: new Date().toISOString() });
  writeFileSync(listFile, `${JSON.stringify(list, null, 2)}\n`);
  const crl = writePem(dir, TEST_CA_FILES.crl, (await createCrl(ca, list)).toString('pem'));
  return { serial, crl, revoked: list.length };
}
