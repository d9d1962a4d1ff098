import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyJson, fuzzParams } from '../testing/fuzz.js';
import { ageOn, identityClaims, identityRecordAsIs, identityRecordSchema, isCalendarDate } from './schema.js';

const base = {
  family_name: '山田',
  given_name: '太郎',
  family_name_kana: 'ヤマダ',
  given_name_kana: 'タロウ',
  birthdate: '2006-11-22',
  gender: 'male',
  address: { postal_code: '1000001', region: '東京都', locality: '千代田区', street_address: '千代田1-1' },
};

describe('identity record', () => {
  it('computes age predicates at issuance, the day before a birthday', () => {
    expect(ageOn('2006-11-22', new Date('2026-11-21T12:00:00Z'))).toBe(19);
    expect(ageOn('2006-11-22', new Date('2026-11-22T00:00:00Z'))).toBe(20);
    const rec = identityRecordSchema.parse(base);
    const claims = identityClaims(rec, new Date('2026-11-21T12:00:00Z'));
    expect(claims.age_equal_or_over).toEqual({ '18': true, '20': false, '65': false });
    expect((claims.address as { formatted: string }).formatted).toBe('〒100-0001 東京都千代田区千代田1-1');
    expect((claims.address as { country: string }).country).toBe('JP');
  });

  it('refuses an Individual Number, wherever it is put', () => {
    expect(identityRecordSchema.safeParse({ ...base, my_number: '123456789012' }).success).toBe(false);
    expect(identityRecordSchema.safeParse({ ...base, given_name: '1234 5678 9012' }).success).toBe(false);
  });

  it('refuses impossible dates and foreign countries', () => {
    expect(identityRecordSchema.safeParse({ ...base, birthdate: '1991-02-30' }).success).toBe(false);
    expect(identityRecordSchema.safeParse({ ...base, address: { ...base.address, country: 'US' } }).success).toBe(false);
  });
});

describe('isCalendarDate', () => {
  it('agrees with Date on every day and non-day of leap and common years, centuries included', () => {
    const viaDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    for (const year of [0, 4, 100, 1900, 1991, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect(isCalendarDate(s), s).toBe(viaDate(s));
        }
      }
    }
  });
});

describe('identityRecordAsIs (the schema without zod, for batch issuance)', () => {
  // Mostly valid fields, so that a fair share of whole records passes and the comparison is made.
  const maybe = <T>(valid: T[], odd: unknown[]) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...valid), weight: 12 },
      { arbitrary: fc.constantFrom(...odd), weight: 1 },
      { arbitrary: anyJson, weight: 1 },
    );
  const name = maybe(
    ['山田', 'ヤマダ', 'Yamada', 'x'.repeat(64)],
    ['', ' 山田', '山田\n', 'x'.repeat(65), '1234-5678-9012', '山田123456789012', 7],
  );
  const absent = Symbol('absent');
  const record = fc.record({
    family_name: name,
    given_name: name,
    family_name_kana: name,
    given_name_kana: name,
    birthdate: maybe(
      ['1991-08-14', '2000-02-29', '2006-11-22'],
      ['1991-02-30', '1900-02-29', '1991-8-14', '19910814', '1991-08-14T00:00:00Z', ' 1991-08-14'],
    ),
    gender: maybe(['male', 'female', 'other'], ['Male', '', 'x']),
    address: fc.oneof(
      fc.record({
        postal_code: maybe(['100-0001', '1000001'], ['100-00011', '100 0001', '１００-０００１', '']),
        region: maybe(['東京都', 'x'.repeat(16)], ['x'.repeat(17), ' 東京都', '']),
        locality: maybe(['千代田区'], ['', '\t千代田区']),
        street_address: maybe(['千代田1-1', 'x'.repeat(128)], ['x'.repeat(129), '1234 5678 9012', '']),
        country: maybe<unknown>(['JP', absent, undefined], ['US', 'jp']),
        extra: maybe<unknown>([absent], ['x']),
      }),
      anyJson,
    ),
    phone_number: maybe<unknown>(['090-1234-5678', '+81-90-1234-5678', absent], ['090', '0901234567890123456', 81, null, undefined]),
    my_number: maybe<unknown>([absent], ['123456789012']),
  });
  const withoutAbsent = (v: unknown): unknown =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (x === absent ? [] : [[k, withoutAbsent(x)]])))
      : v;

  it("returns a record only where the schema accepts it, and then the schema's own output", () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(record.map(withoutAbsent), anyJson), (value) => {
        const asIs = identityRecordAsIs(value);
        if (asIs === undefined) return;
        taken++;
        const parsed = identityRecordSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        // The same members in the same order: the claims and the address' `formatted` follow it.
        expect(JSON.stringify(asIs)).toBe(JSON.stringify(parsed.data));
      }),
      fuzzParams(),
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('takes a record in the usual form, with or without country and phone', () => {
    expect(identityRecordAsIs(base)).toEqual(identityRecordSchema.parse(base));
    const full = { ...base, address: { ...base.address, country: 'JP' }, phone_number: '090-1234-5678' };
    expect(identityRecordAsIs(full)).toEqual(identityRecordSchema.parse(full));
  });
});
