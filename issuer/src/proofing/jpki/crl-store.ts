import { readFile } from 'node:fs/promises';
import { httpFetch, outboundPolicyFromEnv, ShomeiError } from '@shomei/shared';
import { x509 } from './x509.js';

/** Reads the bytes (or PEM text) of a CRL from a file path or an http(s) URL. */
export type CrlLoader = (location: string) => Promise<string | Uint8Array>;

export const defaultCrlLoader: CrlLoader = async (location) => {
  if (/^https?:\/\//i.test(location)) {
    // CRLs are signed, and distribution points are commonly plain http: http to public addresses is allowed here.
    const res = await httpFetch(location, { timeoutMs: 10_000, policy: outboundPolicyFromEnv(process.env, { allowPublicHttp: true }) });
    if (res.status !== 200) throw new Error(`CRL fetch answered ${res.status}`);
    return res.body; // PEM over HTTP (the fetch wrapper reads text)
  }
  return new Uint8Array(await readFile(location));
};

/** PEM text as it is; DER bytes as a buffer (a file may hold either). */
function asCrlInput(raw: string | Uint8Array): string | Uint8Array {
  if (typeof raw === 'string') return raw;
  const head = Buffer.from(raw.subarray(0, 64)).toString('latin1');
  return head.includes('-----BEGIN') ? Buffer.from(raw).toString('utf8') : new Uint8Array(raw);
}

interface Cached {
  crl: x509.X509Crl;
  fetchedAt: number;
  /** CA certificates this CRL's signature has been checked against (checked once per fetch). */
  verified: WeakMap<x509.X509Certificate, boolean>;
}

export interface CrlStoreOptions {
  /** Where the CRLs are (files or URLs), one per CA. */
  locations: string[];
  /** Seconds before a CRL is read again (also re-read once its nextUpdate has passed). */
  refreshSeconds: number;
  load?: CrlLoader;
}

/**
 * The configured CRLs, cached and refreshed. A CRL is only used after its signature verifies with
 * the key of the CA that issued the certificate in question; a CRL that cannot be read or is past
 * its nextUpdate makes revocation unknown, and the caller fails closed.
 */
export class CrlStore {
  private readonly cache = new Map<string, Cached>();
  private readonly load: CrlLoader;

  constructor(private readonly options: CrlStoreOptions) {
    this.load = options.load ?? defaultCrlLoader;
  }

  get locations(): readonly string[] {
    return this.options.locations;
  }

  /** Drops the cache so that the next lookups read every CRL again. */
  invalidate(): void {
    this.cache.clear();
  }

  private async get(location: string, now: Date): Promise<x509.X509Crl> {
    const cached = this.cache.get(location);
    const fresh =
      cached &&
      now.getTime() - cached.fetchedAt < this.options.refreshSeconds * 1000 &&
      (!cached.crl.nextUpdate || cached.crl.nextUpdate.getTime() > now.getTime());
    if (fresh) return cached.crl;
    const raw = await this.load(location);
    const crl = new x509.X509Crl(asCrlInput(raw));
    this.cache.set(location, { crl, fetchedAt: now.getTime(), verified: new WeakMap() });
    return crl;
  }

  private async signedBy(location: string, crl: x509.X509Crl, ca: x509.X509Certificate): Promise<boolean> {
    const cached = this.cache.get(location);
    const known = cached?.crl === crl ? cached.verified.get(ca) : undefined;
    if (known !== undefined) return known;
    const ok = await crl.verify({ publicKey: ca });
    if (cached?.crl === crl) cached.verified.set(ca, ok);
    return ok;
  }

  /** The verified, current CRL issued by `ca`; throws `upstream_unavailable` when there is none. */
  async crlFor(ca: x509.X509Certificate, now: Date): Promise<x509.X509Crl> {
    for (const location of this.options.locations) {
      let crl: x509.X509Crl;
      try {
        crl = await this.get(location, now);
      } catch {
        continue;
      }
      if (crl.issuer !== ca.subject) continue;
      if (!(await this.signedBy(location, crl, ca))) continue;
      if (crl.nextUpdate && crl.nextUpdate.getTime() <= now.getTime()) continue;
      return crl;
    }
    throw new ShomeiError('upstream_unavailable', 'no current, verifiable CRL for the certificate authority; revocation cannot be checked');
  }

  /** Whether the certificate with this serial, issued by `ca`, is on its CRL. */
  async isRevoked(ca: x509.X509Certificate, serialHex: string, now: Date): Promise<{ revoked: boolean; reason?: number; date?: string }> {
    const entry = (await this.crlFor(ca, now)).findRevoked(serialHex);
    if (!entry) return { revoked: false };
    return { revoked: true, reason: entry.reason, date: entry.revocationDate.toISOString() };
  }
}
