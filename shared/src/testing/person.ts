import { SAMPLE_IDENTITY } from '../identity/sample.js';
import type { IdentityRecord } from '../identity/schema.js';

/**
 * The sample person with some fields changed or left out: a test that needs another person, or one
 * whose particular value it asserts, says only what differs (`address` fields merge).
 */
export function samplePerson(overrides: Partial<IdentityRecord> = {}, omit: readonly (keyof IdentityRecord)[] = []): IdentityRecord {
  const base = structuredClone(SAMPLE_IDENTITY);
  const person: Record<string, unknown> = { ...base, ...overrides, address: { ...base.address, ...overrides.address } };
  for (const field of omit) delete person[field];
  return person as unknown as IdentityRecord;
}

/** The sample person's brother, the person most tests present: 山田太郎. */
export const TARO: IdentityRecord = samplePerson({ given_name: '太郎', given_name_kana: 'タロウ', gender: 'male' });
