import { describe, expect, it } from 'vitest';
import { ageOn, identityClaims, identityRecordSchema } from './schema.js';

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
