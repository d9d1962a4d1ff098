import { describe, expect, it } from 'vitest';
import {
  containsIndividualNumber,
  hasValidCheckDigit,
  isJapanesePhoneNumber,
  MAX_DIGITS_PER_CHARACTER,
  OTHER_DIGIT_SOURCES,
} from './individual-number.js';
import { SAMPLE_IDENTITY } from './sample.js';
import { identityRecordAsIs, identityRecordSchema } from './schema.js';

// 1234 5678 9018: the check digit of 12345678901 is 8 (r = 212 mod 11 = 3, 11 − 3).
const VALID = '123456789018';
const digitsOf = (s: string) => [...s].map(Number);

/** The same digits in another script's decimal digits (zero at `zero`). */
const inScript = (ascii: string, zero: number) => [...ascii].map((d) => String.fromCodePoint(zero + Number(d))).join('');

describe('hasValidCheckDigit (番号法施行令 第8条)', () => {
  it('accepts the number whose check digit follows the weights, and no other last digit', () => {
    expect(hasValidCheckDigit(digitsOf(VALID))).toBe(true);
    for (let last = 0; last <= 9; last++) {
      if (last !== 8) expect(hasValidCheckDigit(digitsOf(`12345678901${last}`))).toBe(false);
    }
    // r ≤ 1 gives the check digit 0.
    expect(hasValidCheckDigit(digitsOf('000000000000'))).toBe(true);
    expect(hasValidCheckDigit(digitsOf('12345678901'))).toBe(false);
  });
});

describe('containsIndividualNumber', () => {
  it('bounds the digits NFKC can make out of any character but 0-9 (all of Unicode)', () => {
    const missed: string[] = [];
    let most = 0;
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const digits = ch.normalize('NFKC').match(/\p{Nd}/gu)?.length ?? 0;
      if (digits > 0 && (ch.match(OTHER_DIGIT_SOURCES)?.length ?? 0) !== 1) missed.push(cp.toString(16));
      most = Math.max(most, digits);
    }
    expect(missed).toEqual([]);
    expect(most).toBe(MAX_DIGITS_PER_CHARACTER);
  });

  it.each([
    ['ASCII, grouped as on the card', '1234 5678 9012'],
    ['ASCII, ungrouped, any check digit', '123456789012'],
    ['full-width digits', '１２３４５６７８９０１２'],
    ['full-width digits and hyphens', '１２３４－５６７８－９０１２'],
    ['mixed widths', '1234５６７８9012'],
    ['spaced hyphens between groups', '1234 - 5678 - 9012'],
    ['ideographic spaces', '1234\u30005678\u30009012'],
    ['long-vowel marks as dashes', '1234ー5678ー9012'],
    ['minus signs', '1234\u22125678\u22129012'],
    ['Arabic-Indic digits', inScript('123456789012', 0x0660)],
    ['Devanagari digits', inScript('123456789012', 0x0966)],
    ['mathematical bold digits', inScript('123456789012', 0x1d7ce)],
    ['inside a name', `山田${inScript('123456789012', 0x06f0)}`],
    ['odd grouping with a valid check digit', '12 34 56 78 90 18'],
    ['odd grouping of full-width digits with a valid check digit', '１２３-４５６-７８９-０１８'],
  ])('finds one: %s', (_name, text) => {
    expect(containsIndividualNumber(text)).toBe(true);
  });

  it.each([
    ['an address', '千代田1-2-3 メゾン101'],
    ['a phone number', '090-1234-5678'],
    ['11 digits', '12345678901'],
    ['13 digits', '1234567890123'],
    ['odd grouping with a wrong check digit', '12 34 56 78 90 12'],
    ['four separators between groups', '1234 -- - 5678 -- - 9012'],
    ['digits broken by a letter', '1234a5678b9012'],
  ])('passes: %s', (_name, text) => {
    expect(containsIndividualNumber(text)).toBe(false);
  });
});

describe('isJapanesePhoneNumber', () => {
  it.each(['090-1234-5678', '09012345678', '03-1234-5678', '03(1234)5678', '011-000-0000', '+81-90-1234-5678', '+81 3 1234 5678'])(
    'accepts %s',
    (phone) => {
      expect(isJapanesePhoneNumber(phone)).toBe(true);
    },
  );
  it.each(['123456789012', VALID, '+1-555-123-4567', '090', '0901234567890123456', '０９０-１２３４-５６７８', '+81-090-1234-5678'])(
    'refuses %s',
    (phone) => {
      expect(isJapanesePhoneNumber(phone)).toBe(false);
    },
  );
});

describe('the identity record refuses an Individual Number in every field', () => {
  const base = SAMPLE_IDENTITY;
  const hidden = ['１２３４５６７８９０１２', '1234５６７８9012', inScript('123456789012', 0x0660)];
  const withValue = (field: string, value: string): Record<string, unknown> =>
    field.startsWith('address.')
      ? { ...base, address: { ...base.address, [field.slice('address.'.length)]: value } }
      : { ...base, [field]: value };

  for (const field of [
    'family_name',
    'given_name',
    'family_name_kana',
    'given_name_kana',
    'address.region',
    'address.locality',
    'address.street_address',
  ]) {
    it(`in ${field}, by the schema and by the batch's fast check alike`, () => {
      for (const number of hidden) {
        const record = withValue(field, number);
        expect(identityRecordSchema.safeParse(record).success).toBe(false);
        expect(identityRecordAsIs(record)).toBeUndefined();
      }
    });
  }

  it('in phone_number, which must be a Japanese phone number', () => {
    for (const phone of ['123456789012', VALID, '１２３４５６７８９０１２']) {
      expect(identityRecordSchema.safeParse({ ...base, phone_number: phone }).success).toBe(false);
      expect(identityRecordAsIs({ ...base, phone_number: phone })).toBeUndefined();
    }
    expect(identityRecordSchema.safeParse({ ...base, phone_number: '+81 90 1234 5678' }).success).toBe(true);
  });
});
