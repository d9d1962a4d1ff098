import { claimLabel, sanitize } from '@shomei/shared';

// The wallet's terminal output goes through the same `sanitize` as the issuer's operator commands.
export { sanitize };

/** Terminal columns a string occupies: East Asian wide and fullwidth characters take two. */
export function displayWidth(s: string): number {
  let width = 0;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes take no columns
  for (const ch of s.replace(/\u001b\[[0-9;]*m/g, '')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isZeroWidth(cp)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) || // combining diacritics
    (cp >= 0x3099 && cp <= 0x309a) || // combining kana voiced marks
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) // variation selectors
  );
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** A claim path as people read it: `address.postal_code`. */
export function formatPath(path: readonly (string | number | null)[]): string {
  return sanitize(path.map((p) => (p === null ? '*' : String(p))).join('.'), 200);
}

/**
 * A claim as people name it: `生年月日 / Date of birth` for the identity credential's claims, the
 * path itself (`address.locality`) for anything else.
 */
export function formatClaim(path: readonly (string | number | null)[]): string {
  const label = claimLabel(path);
  return label ? `${label.ja} / ${label.en}` : formatPath(path);
}

/** A claim value as people read it; booleans (age predicates) as yes/no. */
export function formatValue(value: unknown): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (typeof value === 'string') return sanitize(value);
  return sanitize(JSON.stringify(value) ?? String(value));
}

/** `2026-11-21T00:00:00.000Z` → `2026-11-21`; a missing date reads as `-`. */
export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '-';
}
