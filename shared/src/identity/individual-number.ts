/**
 * Recognises an Individual Number (マイナンバー, 12 digits, the last a check digit) typed into a
 * free-text field, in whatever form a person or a careless upstream system may have used:
 * full-width digits (１２３４), mathematical or circled forms, digits of other scripts (٠١٢٣,
 * ०१२३), mixed widths, and separators between the digits. The text is NFKC-normalized first, so
 * that compatibility forms fold to ASCII; every Unicode decimal digit (\p{Nd}) left counts as its
 * value.
 *
 * Two shapes are refused:
 * - 12 digits grouped 4-4-4 (separators, or none, only between the groups), whatever the check digit: the
 *   way the number is printed on the card, so a typo in it still must not pass;
 * - 12 digits with separators anywhere else between them, when the check digit is right: a
 *   grouping nobody uses for addresses or names, so the check digit tells a number from chance.
 */

/** Characters people put between digit groups, after NFKC: white space, dashes, the long-vowel mark, dots, slashes. */
const SEPARATOR = /[\s\p{Pd}\u2212\u30fc\uff70.,/_・]/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
/**
 * Every character other than 0-9 whose NFKC form holds a decimal digit: the other digits and
 * numbers (\p{Nd}, \p{No}: ①, ¹, ⑴) and the CJK compatibility squares that carry one (㋀ "1月",
 * ㍘ "0点", ㏠ "1日", ㎡ "m2"). None holds more than three (⅒ is "1⁄10"). A test checks both facts
 * against NFKC over all of Unicode.
 */
export const OTHER_DIGIT_SOURCES = /(?![0-9])[\p{Nd}\p{No}\u32c0-\u32cb\u3358-\u3370\u3378\u3379\u339f-\u33a6\u33a8\u33af\u33e0-\u33fe]/gu;
export const MAX_DIGITS_PER_CHARACTER = 3;

export function containsIndividualNumber(text: string): boolean {
  // Batch issuance checks nine fields per record, most of them names and addresses with a few
  // digits or none: an upper bound on the digits NFKC could produce decides those without it.
  let asciiDigits = 0;
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) asciiDigits++;
    else if (c >= 0x80) nonAscii++;
  }
  if (asciiDigits + nonAscii * MAX_DIGITS_PER_CHARACTER < 12) return false;
  const others = nonAscii === 0 ? 0 : (text.match(OTHER_DIGIT_SOURCES)?.length ?? 0);
  if (asciiDigits + others * MAX_DIGITS_PER_CHARACTER < 12) return false;
  const normalized = others === 0 ? text : text.normalize('NFKC');
  for (const run of digitRuns(normalized)) {
    if (run.digits.length !== 12) continue;
    if (isCardGrouping(run.gaps) || hasValidCheckDigit(run.digits)) return true;
  }
  return false;
}

/**
 * The check digit of an Individual Number (番号法施行令 第8条): for the first 11 digits read from the
 * right as P1..P11 with weights Q = n + 1 (n ≤ 6) or n − 5 (n ≥ 7), r = Σ Pn·Qn mod 11; the check
 * digit is 0 when r ≤ 1, else 11 − r.
 */
export function hasValidCheckDigit(digits: readonly number[]): boolean {
  if (digits.length !== 12) return false;
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = digits[11 - n] as number;
    sum += p * (n <= 6 ? n + 1 : n - 5);
  }
  const r = sum % 11;
  return digits[11] === (r <= 1 ? 0 : 11 - r);
}

interface DigitRun {
  digits: number[];
  /** For each digit after the first, whether a separator stood before it. */
  gaps: boolean[];
}

/** At most this many separator characters between two digits of one number ("1234 - 5678"). */
const MAX_GAP = 3;

/** Maximal runs of decimal digits in which neighbours are at most MAX_GAP separators apart. */
function digitRuns(text: string): DigitRun[] {
  const runs: DigitRun[] = [];
  let run: DigitRun | null = null;
  let gap = 0;
  for (const ch of text) {
    const value = digitValue(ch);
    if (value !== undefined) {
      if (run === null) {
        run = { digits: [value], gaps: [] };
        runs.push(run);
      } else {
        run.digits.push(value);
        run.gaps.push(gap > 0);
      }
      gap = 0;
    } else if (run !== null && gap < MAX_GAP && SEPARATOR.test(ch)) {
      gap++;
    } else {
      run = null;
      gap = 0;
    }
  }
  return runs;
}

/** 4-4-4: separators, if any, only after the 4th and the 8th digit. */
function isCardGrouping(gaps: readonly boolean[]): boolean {
  return gaps.every((gap, i) => !gap || i === 3 || i === 7);
}

/**
 * The value of a Unicode decimal digit. Unicode keeps every script's digits in runs of ten in
 * order from 0 (a stability guarantee for \p{Nd}), and the one place where two runs touch starts
 * at a zero too, so the distance to the start of the run, mod 10, is the value.
 */
function digitValue(ch: string): number | undefined {
  const code = ch.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code < 0x80 || !DECIMAL_DIGIT.test(ch)) return undefined;
  const cp = ch.codePointAt(0) as number;
  let start = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/**
 * A Japanese phone number: the national form 0 + 9 or 10 digits (03-1234-5678, 090-1234-5678,
 * 03(1234)5678), or +81 and the same number without its 0, with at most one space, hyphen or
 * parenthesis between digits. It has at most 11 national digits, so it cannot carry an Individual
 * Number: this check replaces the exemption the phone field used to have from the filter.
 */
const JAPANESE_PHONE_NUMBER = /^(?:0|\+81[ -]?)[1-9](?:[ ()-]?\d){8,9}$/;

export function isJapanesePhoneNumber(text: string): boolean {
  return JAPANESE_PHONE_NUMBER.test(text);
}
