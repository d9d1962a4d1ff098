import './reflect-metadata.js';
import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface TestCertificate {
  /** node:crypto's view, as the wallet reads it. */
  cert: X509Certificate;
  pem: string;
  /** Standard base64 DER, as an `x5c` entry carries it. */
  b64: string;
  privateKey: KeyObject;
  keys: CryptoKeyPair;
}

export interface TestPki {
  root: TestCertificate;
  intermediate: TestCertificate;
  leaf: TestCertificate;
  /** leaf, intermediate (the root left out, as RFC 7515 allows). */
  x5c: string[];
}

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function wrap(cert: x509.X509Certificate, pair: CryptoKeyPair): TestCertificate {
  const der = Buffer.from(cert.rawData);
  return {
    cert: new X509Certificate(der),
    pem: cert.toString('pem'),
    b64: der.toString('base64'),
    privateKey: KeyObject.from(pair.privateKey as webcrypto.CryptoKey),
    keys: pair,
  };
}

/** A self-signed CA. */
export async function testRoot(name = 'CN=Shomei Test Verifier Root', now = new Date()): Promise<TestCertificate> {
  const pair = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys: pair,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return wrap(cert, pair);
}

/** A certificate issued by `issuer`: a CA unless `leaf` (then with the dNSName SANs). */
export async function testIssued(
  issuer: TestCertificate,
  subject: string,
  options: { ca?: boolean; dnsNames?: string[]; notBefore?: Date; notAfter?: Date; now?: Date } = {},
): Promise<TestCertificate> {
  const now = options.now ?? new Date();
  const pair = await keys();
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca === true, undefined, true)];
  if (options.dnsNames?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns' as const, value }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.cert.subject.split('\n').join(', '),
    publicKey: pair.publicKey,
    signingKey: issuer.keys.privateKey,
    notBefore: options.notBefore ?? new Date(now.getTime() - DAY),
    notAfter: options.notAfter ?? new Date(now.getTime() + 90 * DAY),
    signingAlgorithm: SIGN,
    extensions,
  });
  return wrap(cert, pair);
}

/** Root → intermediate CA → leaf for `dnsNames`, valid around `now`. */
export async function testPki(dnsNames: string[], now = new Date(), rootName?: string): Promise<TestPki> {
  const root = await testRoot(rootName, now);
  const intermediate = await testIssued(root, 'CN=Shomei Test Verifier CA', { ca: true, now });
  const leaf = await testIssued(intermediate, `CN=${dnsNames[0] ?? 'verifier'}`, { dnsNames, now });
  return { root, intermediate, leaf, x5c: [leaf.b64, intermediate.b64] };
}
