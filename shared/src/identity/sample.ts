import type { IdentityRecord } from './schema.js';

/**
 * A fictional person, for the demo, the benchmarks and the tests: never a real customer's data.
 * One record, so that the places that need "some valid identity" do not each write their own.
 */
export const SAMPLE_IDENTITY: IdentityRecord = {
  family_name: '山田',
  given_name: '花子',
  family_name_kana: 'ヤマダ',
  given_name_kana: 'ハナコ',
  birthdate: '1991-08-14',
  gender: 'female',
  address: { postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1', country: 'JP' },
  phone_number: '090-1234-5678',
};
