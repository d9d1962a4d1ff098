import { isIPv4, isIPv6 } from 'node:net';

/**
 * What kind of network an IP address belongs to. `public` is the only kind fetched by default;
 * `loopback`, `private`, `cgnat` and `unique-local` also with the private-network setting
 * (development and tests); the rest never (link-local holds the cloud metadata endpoints).
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'unique-local'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** Kinds the private-network setting opens; link-local (metadata), multicast and the like stay closed. */
export const PRIVATE_NETWORK_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'cgnat', 'unique-local']);

type Range = readonly [base: bigint, prefix: number, kind: AddressClass];

const V4: readonly (readonly [string, number, AddressClass])[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6: readonly (readonly [string, number, AddressClass])[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'private'],
  ['100::', 64, 'reserved'],
  ['2001::', 23, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

const v4Ranges: Range[] = V4.map(([a, p, k]) => [v4ToBigInt(a), p, k]);
const v6Ranges: Range[] = V6.map(([a, p, k]) => [v6ToBigInt(a), p, k]);

function v4ToBigInt(address: string): bigint {
  return address.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

/** 128-bit value of an IPv6 address, including `::` compression and a trailing dotted quad. */
function v6ToBigInt(address: string): bigint {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted quad (::ffff:127.0.0.1) becomes its two hex groups.
  const lastColon = text.lastIndexOf(':');
  const quad = text.slice(lastColon + 1);
  if (quad.includes('.')) {
    const v4 = v4ToBigInt(quad);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.reduce((n: bigint, g: number) => (n << 16n) | BigInt(g), 0n);
}

function match(value: bigint, bits: number, ranges: readonly Range[]): AddressClass {
  for (const [base, prefix, kind] of ranges) {
    const shift = BigInt(bits - prefix);
    if (value >> shift === base >> shift) return kind;
  }
  return 'public';
}

/** Classifies an IP address (not a host name); anything that is not an IP address is `reserved`. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(bare)) {
    if (bare === '255.255.255.255') return 'reserved';
    return match(v4ToBigInt(bare), 32, v4Ranges);
  }
  if (!isIPv6(bare)) return 'reserved';
  const value = v6ToBigInt(bare);
  // IPv4 carried in IPv6 is judged as the IPv4 address it reaches: mapped (::ffff:0:0/96),
  // the deprecated compatible form (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
  const low32 = value & 0xffffffffn;
  const asV4 = (v: bigint) => match(v, 32, v4Ranges);
  if (value >> 32n === 0xffffn) return asV4(low32);
  if (value >> 32n === 0n && value > 1n) return asV4(low32);
  if (value >> 32n === 0x64ff9b0000000000000000n) return asV4(low32);
  if (value >> 112n === 0x2002n) return asV4((value >> 80n) & 0xffffffffn);
  return match(value, 128, v6Ranges);
}
