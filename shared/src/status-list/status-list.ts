import type { KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { signJws } from '../crypto/jws.js';
import { ShomeiError } from '../errors.js';

/** IETF Token Status List: 0 valid, 1 invalid (revoked), 2 suspended. */
export const STATUS = { VALID: 0, INVALID: 1, SUSPENDED: 2 } as const;
export type StatusValue = number;
export type StatusBits = 1 | 2 | 4 | 8;

/** The largest inflated status list accepted anywhere (16 MiB: 67 million 2-bit statuses). */
export const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024;

/** A status list held as one byte array; `bits` statuses per entry, least significant first. */
export class StatusList {
  constructor(
    readonly bits: StatusBits,
    readonly bytes: Uint8Array,
  ) {}

  static empty(size: number, bits: StatusBits = 2): StatusList {
    return new StatusList(bits, new Uint8Array(Math.ceil((size * bits) / 8)));
  }

  /**
   * Inflates `lst`. Bounded: a hostile list may not inflate beyond `maxBytes` (at most, and by
   * default, MAX_STATUS_LIST_BYTES): a caller that holds many lists passes what its budget allows.
   */
  static decode(bits: number, lst: string, maxBytes: number = MAX_STATUS_LIST_BYTES): StatusList {
    if (![1, 2, 4, 8].includes(bits)) throw new ShomeiError('malformed', 'status list bits must be 1, 2, 4 or 8');
    let bytes: Buffer;
    try {
      bytes = inflateSync(Buffer.from(lst, 'base64url'), { maxOutputLength: Math.min(maxBytes, MAX_STATUS_LIST_BYTES) });
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ShomeiError('malformed', `status list lst inflates beyond ${Math.min(maxBytes, MAX_STATUS_LIST_BYTES)} bytes`, { cause });
      throw new ShomeiError('malformed', 'status list lst is not valid zlib data', { cause });
    }
    return new StatusList(bits as StatusBits, bytes);
  }

  get size(): number {
    return (this.bytes.length * 8) / this.bits;
  }

  get(idx: number): StatusValue {
    if (!Number.isInteger(idx) || idx < 0 || idx >= this.size)
      throw new ShomeiError('status_unavailable', 'status index is outside the list');
    const perByte = 8 / this.bits;
    const byte = this.bytes[Math.floor(idx / perByte)] as number;
    const shift = (idx % perByte) * this.bits;
    return (byte >> shift) & ((1 << this.bits) - 1);
  }

  set(idx: number, value: StatusValue): void {
    if (value < 0 || value >= 1 << this.bits) throw new ShomeiError('invalid_request', 'status value does not fit the list');
    const perByte = 8 / this.bits;
    const pos = Math.floor(idx / perByte);
    const shift = (idx % perByte) * this.bits;
    const mask = ((1 << this.bits) - 1) << shift;
    this.bytes[pos] = ((this.bytes[pos] as number) & ~mask) | (value << shift);
  }

  encode(): string {
    return deflateSync(this.bytes, { level: 9 }).toString('base64url');
  }
}

export const STATUS_LIST_TYP = 'statuslist+jwt';

export interface StatusListTokenInput {
  issuer: string;
  /** The `uri` that credentials reference: it becomes the token's `sub`. */
  uri: string;
  list: StatusList;
  issuedAt: Date;
  /** Seconds a verifier may cache the list. */
  ttl: number;
  /** Seconds until the token expires. */
  validFor: number;
  key: KeyObject;
  kid: string;
}

export function signStatusListToken(input: StatusListTokenInput): string {
  const iat = Math.floor(input.issuedAt.getTime() / 1000);
  return signJws(
    { alg: 'ES256', typ: STATUS_LIST_TYP, kid: input.kid },
    {
      iss: input.issuer,
      sub: input.uri,
      iat,
      exp: iat + input.validFor,
      ttl: input.ttl,
      status_list: { bits: input.list.bits, lst: input.list.encode() },
    },
    input.key,
  );
}
