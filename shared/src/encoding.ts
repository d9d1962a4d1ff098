export function b64u(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

export function b64uDecode(s: string): Buffer {
  return Buffer.from(s, 'base64url');
}

/** True when `s` is non-empty and uses only the base64url alphabet (no padding). */
export function isB64u(s: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(s);
}

export function b64uJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
