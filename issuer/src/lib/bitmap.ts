/** One bit per index, as stored (a status list's `reserved` column): bit `i & 7` of byte `i >> 3`. */
export class IndexBitmap {
  readonly bytes: Uint8Array;

  constructor(
    readonly size: number,
    bytes?: Uint8Array | null,
  ) {
    this.bytes = new Uint8Array(Math.ceil(size / 8));
    if (bytes) this.bytes.set(bytes.subarray(0, this.bytes.length));
  }

  has(idx: number): boolean {
    return ((this.bytes[idx >> 3] as number) & (1 << (idx & 7))) !== 0;
  }

  set(idx: number): void {
    this.bytes[idx >> 3] = (this.bytes[idx >> 3] as number) | (1 << (idx & 7));
  }

  /** How many indexes are set. */
  count(): number {
    let n = 0;
    for (const byte of this.bytes) n += BITS_IN[byte] as number;
    return n;
  }
}

const BITS_IN = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
});
