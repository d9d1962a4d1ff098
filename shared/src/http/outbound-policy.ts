import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ShomeiError } from '../errors.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { type AddressClass, classifyAddress, PRIVATE_NETWORK_CLASSES } from './lib/address-class.js';

/** The named development setting: `1` lets fetches reach loopback and private addresses (and plain http there). */
export const ALLOW_PRIVATE_NETWORK_ENV = 'SHOMEI_ALLOW_PRIVATE_NETWORK';
/** Extra ports public https targets may use, comma-separated (443 always). */
export const OUTBOUND_PORTS_ENV = 'SHOMEI_OUTBOUND_PORTS';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface OutboundPolicyOptions {
  /** Loopback, RFC 1918, CGNAT and unique-local targets, over http or https on any port (development, tests). */
  allowPrivateNetwork?: boolean;
  /** Ports public targets may use besides 443 (https) and 80 (http, where allowed). */
  allowedPorts?: readonly number[];
  /** Plain http to public addresses, for content that is signed anyway (certificate revocation lists). */
  allowPublicHttp?: boolean;
  /** Told, before the request, about any fetch that is not https (the wallet prints it). */
  onInsecure?: (note: string) => void;
  backoff?: Partial<BackoffOptions>;
  now?: () => number;
  /** Name resolution; the default is the system resolver (what a connection would use). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** A target that passed the policy: connect to `address`, and to nothing else. */
export interface VettedTarget {
  url: URL;
  /** The host name as sent in Host and SNI (IPv6 without brackets). */
  hostname: string;
  port: number;
  address: string;
  family: 4 | 6;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000, forgetAfterMs: 10 * 60_000, maxKeys: 1000 };

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const all = await lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function refused(host: string, why: string): ShomeiError {
  return new ShomeiError('fetch_refused', `refused to fetch from ${host}: ${why}`);
}

const CLASS_WORDS: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private address',
  cgnat: 'a shared (CGNAT) address',
  'unique-local': 'a unique-local address',
  'link-local': 'a link-local or metadata address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/**
 * The one outbound-fetch policy: which URLs may be fetched and at which address. Scheme and port
 * are checked first; then the host is resolved and every address it resolves to must be allowed,
 * so a name cannot point at 127.0.0.1 or 169.254.169.254; the connection then goes to the vetted
 * address only (no second lookup a rebinding DNS server could answer differently). Origins that
 * failed are backed off exponentially.
 */
export class OutboundPolicy {
  readonly allowPrivateNetwork: boolean;
  private readonly publicPorts: ReadonlySet<number>;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly resolve: (hostname: string) => Promise<ResolvedAddress[]>;

  constructor(private readonly options: OutboundPolicyOptions = {}) {
    this.allowPrivateNetwork = options.allowPrivateNetwork ?? false;
    this.publicPorts = new Set(options.allowedPorts ?? []);
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.now = options.now ?? Date.now;
    this.resolve = options.resolve ?? systemResolve;
  }

  /** The same policy with another insecure-fetch notice (and its own back-off). */
  withNotice(onInsecure: (note: string) => void): OutboundPolicy {
    return new OutboundPolicy({ ...this.options, onInsecure });
  }

  private publicAllowed(url: URL, port: number): string | undefined {
    if (url.protocol === 'https:') return port === 443 || this.publicPorts.has(port) ? undefined : `port ${port} is not allowed`;
    if (!this.options.allowPublicHttp) return 'only https is allowed';
    return port === 80 || this.publicPorts.has(port) ? undefined : `port ${port} is not allowed`;
  }

  /**
   * What can be judged without any network traffic: scheme, credentials, port, and the address
   * when the host is an IP literal. Throws fetch_refused; `vet` does this first.
   */
  precheck(rawUrl: string | URL): { url: URL; hostname: string; port: number; publicRefusal: string | undefined } {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ShomeiError('invalid_request', 'not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw refused(url.host || url.protocol, `the scheme ${url.protocol} is not allowed`);
    if (url.username || url.password) throw refused(url.host, 'URLs with credentials are not fetched');
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const publicRefusal = this.publicAllowed(url, port);
    // Without the setting nothing but a public target can pass: refuse before any DNS traffic.
    if (publicRefusal && !this.allowPrivateNetwork) throw refused(url.host, publicRefusal);
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(hostname)) this.judge(url, hostname, publicRefusal);
    return { url, hostname, port, publicRefusal };
  }

  /** Throws unless `address` may be reached for `url`; returns whether that is only by the private-network setting. */
  private judge(url: URL, address: string, publicRefusal: string | undefined): boolean {
    const kind = classifyAddress(address);
    if (kind === 'public') {
      if (publicRefusal) throw refused(url.host, publicRefusal);
      return false;
    }
    if (!(this.allowPrivateNetwork && PRIVATE_NETWORK_CLASSES.has(kind))) {
      const hint = PRIVATE_NETWORK_CLASSES.has(kind) ? ` (${ALLOW_PRIVATE_NETWORK_ENV}=1 allows it in development)` : '';
      throw refused(url.host, `it is ${CLASS_WORDS[kind]}${hint}`);
    }
    return true;
  }

  /** Checks `rawUrl` and resolves its host; throws fetch_refused (or upstream_unavailable while backing off). */
  async vet(rawUrl: string | URL): Promise<VettedTarget> {
    const { url, hostname, port, publicRefusal } = this.precheck(rawUrl);
    const now = this.now();
    if (this.backoff.blockedUntil(url.origin, now) !== undefined) {
      throw new ShomeiError('upstream_unavailable', `${url.host} failed recently; not trying again yet`);
    }
    let addresses: ResolvedAddress[];
    const literal = isIP(hostname);
    if (literal) addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
    else {
      try {
        addresses = await this.resolve(hostname);
      } catch {
        this.backoff.failed(url.origin, now);
        throw new ShomeiError('upstream_unavailable', `could not resolve ${url.host}`);
      }
    }
    const first = addresses[0];
    if (!first) throw new ShomeiError('upstream_unavailable', `could not resolve ${url.host}`);
    let privateTarget = false;
    for (const { address } of addresses) if (this.judge(url, address, publicRefusal)) privateTarget = true;
    if (url.protocol !== 'https:') {
      const why = privateTarget ? `not https; allowed by ${ALLOW_PRIVATE_NETWORK_ENV}` : 'not https';
      this.options.onInsecure?.(`fetching ${url.origin} (${why})`);
    }
    return { url, hostname, port, address: first.address, family: first.family };
  }

  /** A connection to the origin failed or timed out: back it off. */
  recordFailure(origin: string): void {
    this.backoff.failed(origin, this.now());
  }

  recordSuccess(origin: string): void {
    this.backoff.succeeded(origin);
  }
}

function truthy(value: string | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

/** The policy the environment asks for: `SHOMEI_ALLOW_PRIVATE_NETWORK`, `SHOMEI_OUTBOUND_PORTS`. */
export function outboundPolicyFromEnv(
  env: Record<string, string | undefined>,
  extra: Omit<OutboundPolicyOptions, 'allowPrivateNetwork' | 'allowedPorts'> = {},
): OutboundPolicy {
  const ports = (env[OUTBOUND_PORTS_ENV] ?? '')
    .split(',')
    .map((p) => Number(p.trim()))
    .filter((p) => Number.isInteger(p) && p > 0 && p < 65_536);
  return new OutboundPolicy({ ...extra, allowPrivateNetwork: truthy(env[ALLOW_PRIVATE_NETWORK_ENV]), allowedPorts: ports });
}

let processPolicy: { key: string; policy: OutboundPolicy } | undefined;

/**
 * The policy of this process, from its environment (read when first needed and again only if it
 * changed): what `httpFetch` uses when the caller passes none. One instance, so that every fetch
 * of the process shares one back-off table.
 */
export function defaultOutboundPolicy(): OutboundPolicy {
  const key = `${process.env[ALLOW_PRIVATE_NETWORK_ENV] ?? ''}|${process.env[OUTBOUND_PORTS_ENV] ?? ''}`;
  if (processPolicy?.key !== key) processPolicy = { key, policy: outboundPolicyFromEnv(process.env) };
  return processPolicy.policy;
}
