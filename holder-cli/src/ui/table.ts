import { displayWidth, padEnd } from './text.js';

/**
 * Left-aligned columns separated by two spaces, measured in terminal columns so that kanji and
 * kana line up. The last column is not padded (no trailing blanks).
 */
export function renderTable(header: readonly string[] | null, rows: readonly (readonly string[])[], indent = ''): string {
  const all = header ? [header, ...rows] : rows;
  const columns = Math.max(0, ...all.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...all.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: readonly string[]) =>
    indent +
    r
      .map((cell, i) => (i === r.length - 1 ? cell : padEnd(cell, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}
