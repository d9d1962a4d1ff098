/**
 * Normalization of Japanese identity data the way real forms differ. Every function returns a
 * canonical string (or null when the input cannot be read as that kind of value); two values
 * match when their canonical forms are equal.
 */

const HIRAGANA_START = 0x3041;
const HIRAGANA_END = 0x3096;
const KATA_OFFSET = 0x60;

/** Hiragana to katakana (ぁ..ゖ → ァ..ヶ, ゝゞ → ヽヾ). */
export function toKatakana(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if ((c >= HIRAGANA_START && c <= HIRAGANA_END) || c === 0x309d || c === 0x309e) out += String.fromCodePoint(c + KATA_OFFSET);
    else out += ch;
  }
  return out;
}

/**
 * Text (names, kana, localities): NFKC (full-width Latin and digits to ASCII, half-width kana
 * to full-width with voiced marks joined: ﾄﾞｺﾓ → ドコモ), hiragana to katakana, no spaces
 * (ASCII, ideographic) or name separators (・, ･, ･, '.', '-'), Latin lower-cased.
 */
export function normalizeText(s: string): string {
  return toKatakana(s.normalize('NFKC'))
    .replace(/[\s\u3000・·.\-‐－]/gu, '')
    .toLowerCase();
}

const ERAS: Record<string, number> = {
  明治: 1867,
  大正: 1911,
  昭和: 1925,
  平成: 1988,
  令和: 2018,
  M: 1867,
  T: 1911,
  S: 1925,
  H: 1988,
  R: 2018,
};

/**
 * Dates: `19910814`, `1991-08-14`, `1991.08.14`, `1991/8/14`, `1991年8月14日`, full-width digits,
 * and Japanese eras (`平成3年8月14日`, `H3.8.14`, `元年`) → `1991-08-14`; null if not a real date.
 */
export function normalizeDate(s: string): string | null {
  const t = s.normalize('NFKC').replace(/\s/g, '').replace(/元年/, '1年');
  let y: number;
  let m: number;
  let d: number;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  const western = /^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$/.exec(t);
  const era = /^(明治|大正|昭和|平成|令和|[MTSHR])(\d{1,2})[-./年](\d{1,2})[-./月](\d{1,2})日?$/i.exec(t);
  if (compact) [y, m, d] = [Number(compact[1]), Number(compact[2]), Number(compact[3])];
  else if (western) [y, m, d] = [Number(western[1]), Number(western[2]), Number(western[3])];
  else if (era) {
    const base = ERAS[(era[1] as string).toUpperCase()] ?? ERAS[era[1] as string];
    if (base === undefined) return null;
    [y, m, d] = [base + Number(era[2]), Number(era[3]), Number(era[4])];
  } else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Phone numbers: hyphens, spaces, brackets and `+81` (or `0081`) removed → national digits (`09012345678`). */
export function normalizePhone(s: string): string | null {
  let t = s.normalize('NFKC').replace(/[\s\-‐－ー()（）.]/g, '');
  if (t.startsWith('+81')) t = `0${t.slice(3).replace(/^\(?0\)?/, '')}`;
  else if (t.startsWith('0081')) t = `0${t.slice(4).replace(/^0/, '')}`;
  return /^0\d{9,10}$/.test(t) ? t : null;
}

/** Postal codes: `〒100-0001`, `1000001`, full-width digits → `1000001`. */
export function normalizePostalCode(s: string): string | null {
  const t = s.normalize('NFKC').replace(/[〒\s\-‐－ー]/g, '');
  return /^\d{7}$/.test(t) ? t : null;
}

/** Prefectures: with or without 都/道/府/県 (`東京` = `東京都`, `北海道` = `北海道`). */
export function normalizePrefecture(s: string): string {
  const t = normalizeText(s);
  if (t === '北海道' || t === '北海') return '北海道';
  if (t === '東京都') return '東京';
  return t.replace(/^(.{2,3})[府県]$/u, '$1');
}

/** Street addresses: NFKC, `1丁目2番3号` and dash variants → `1-2-3`, no spaces. */
export function normalizeStreet(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\s/g, '')
    .replace(/(\d+)丁目/g, '$1-')
    .replace(/(\d+)番地?/g, '$1-')
    .replace(/(\d+)号/g, '$1')
    .replace(/[‐－―−ー‑–—]/g, '-')
    .replace(/-+$/g, '')
    .replace(/-{2,}/g, '-');
}
