import { describe, expect, it } from 'vitest';
import { matchPaths, matchRecord, matchRecordSchema } from './match.js';
import { normalizeDate, normalizePhone, normalizePostalCode, normalizePrefecture, normalizeStreet, normalizeText } from './normalize.js';

describe('Japanese normalization', () => {
  it('treats half-width and full-width kana alike (the issue example ﾄﾞｺﾓﾀﾛｳ = ドコモタロウ)', () => {
    expect(normalizeText('ﾄﾞｺﾓﾀﾛｳ')).toBe(normalizeText('ドコモタロウ'));
    expect(normalizeText('ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ')).toBe('パピプペポ');
  });

  it('treats hiragana and katakana alike, and ignores spaces (ASCII and ideographic)', () => {
    expect(normalizeText('どこも たろう')).toBe(normalizeText('ドコモタロウ'));
    expect(normalizeText('山田\u3000太郎')).toBe(normalizeText('山田太郎'));
    expect(normalizeText('ヤマダ・タロウ')).toBe('ヤマダタロウ');
    // the long-vowel mark is part of a name, not a separator
    expect(normalizeText('ユーコ')).not.toBe(normalizeText('ユコ'));
  });

  it('applies NFKC (full-width Latin and digits)', () => {
    expect(normalizeText('ＹＡＭＡＤＡ')).toBe('yamada');
    expect(normalizeText('髙橋')).not.toBe(normalizeText('高橋')); // different characters stay different
  });

  it('reads dates as 19910814, 1991-08-14, 1991.08.14, 1991/8/14 (the issue examples) and more', () => {
    for (const d of ['19910814', '1991-08-14', '1991.08.14', '1991/8/14', '１９９１年８月１４日', '平成3年8月14日', 'H3.8.14']) {
      expect(normalizeDate(d), d).toBe('1991-08-14');
    }
    expect(normalizeDate('平成元年1月8日')).toBe('1989-01-08');
    expect(normalizeDate('1991-02-30')).toBeNull();
    expect(normalizeDate('14/08/1991')).toBeNull();
  });

  it('reads phone numbers with or without hyphens or +81', () => {
    for (const p of [
      '090-1234-5678',
      '09012345678',
      '+81 90-1234-5678',
      '+819012345678',
      '+81(0)90-1234-5678',
      '０９０－１２３４－５６７８',
      '(090) 1234 5678',
    ]) {
      expect(normalizePhone(p), p).toBe('09012345678');
    }
    expect(normalizePhone('1234')).toBeNull();
  });

  it('reads postal codes, prefectures and street addresses the way forms differ', () => {
    expect(normalizePostalCode('〒100-0001')).toBe('1000001');
    expect(normalizePostalCode('１０００００１')).toBe('1000001');
    expect(normalizePrefecture('東京')).toBe(normalizePrefecture('東京都'));
    expect(normalizePrefecture('大阪')).toBe(normalizePrefecture('大阪府'));
    expect(normalizePrefecture('北海道')).toBe(normalizePrefecture('北海道'));
    expect(normalizePrefecture('京都府')).toBe(normalizePrefecture('京都'));
    expect(normalizeStreet('千代田１丁目１番')).toBe(normalizeStreet('千代田1-1'));
    expect(normalizeStreet('丸の内2丁目3番4号')).toBe('丸の内2-3-4');
    expect(normalizeStreet('丸の内２－３－４')).toBe('丸の内2-3-4');
  });
});

describe('matchRecord', () => {
  const disclosed = {
    family_name: '山田',
    given_name: '太郎',
    'family_name#ja-Kana-JP': 'ヤマダ',
    'given_name#ja-Kana-JP': 'タロウ',
    birthdate: '1991-08-14',
    phone_number: '090-1234-5678',
    address: { postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1' },
  };

  it('answers true per field across the usual differences in a customer record', () => {
    const record = matchRecordSchema.parse({
      name: '山田 太郎',
      name_kana: 'ﾔﾏﾀﾞ ﾀﾛｳ',
      family_name_kana: 'やまだ',
      birthdate: '1991/8/14',
      phone_number: '+81 90 1234 5678',
      address: { postal_code: '1000001', region: '東京', locality: '千代田区', street_address: '千代田１丁目１番' },
    });
    expect(matchRecord(record, disclosed)).toEqual({
      name: true,
      name_kana: true,
      family_name_kana: true,
      birthdate: true,
      phone_number: true,
      'address.postal_code': true,
      'address.region': true,
      'address.locality': true,
      'address.street_address': true,
    });
  });

  it('answers false for a different value and for a claim that was not disclosed', () => {
    const record = matchRecordSchema.parse({ given_name: '次郎', birthdate: '19910815', gender: 'male' });
    expect(matchRecord(record, disclosed)).toEqual({ given_name: false, birthdate: false, gender: false });
  });

  it('asks for exactly the claims the record needs', () => {
    const record = matchRecordSchema.parse({ name_kana: 'ヤマダタロウ', address: { locality: '千代田区' } });
    expect(matchPaths(record)).toEqual([['family_name#ja-Kana-JP'], ['given_name#ja-Kana-JP'], ['address', 'locality']]);
    expect(matchRecordSchema.safeParse({}).success).toBe(false);
    expect(matchRecordSchema.safeParse({ mynumber: '123' }).success).toBe(false);
  });
});
