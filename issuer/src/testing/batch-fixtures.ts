import { writeFileSync } from 'node:fs';
import { generateEs256KeyPair, type PublicJwk } from '@shomei/shared';

/** A valid JSONL batch row for customer `n`, bound to `holderJwk` when given. */
export function batchRow(n: number, holderJwk?: PublicJwk): Record<string, unknown> {
  const row: Record<string, unknown> = {
    external_id: `cust-${String(n).padStart(7, '0')}`,
    identity: {
      family_name: '鈴木',
      given_name: `次郎${n % 100}`,
      family_name_kana: 'スズキ',
      given_name_kana: 'ジロウ',
      birthdate: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`,
      gender: n % 2 ? 'male' : 'female',
      address: { postal_code: '060-0001', region: '北海道', locality: '札幌市中央区', street_address: `北1条西${1 + (n % 20)}-1` },
      phone_number: '011-000-0000',
    },
    proofing: { method: 'reliance', assurance_level: 'IAL2', time: '2026-10-01T09:00:00Z' },
  };
  if (holderJwk) row.holder_jwk = holderJwk;
  return row;
}

/** Writes `count` valid rows (with distinct holder keys when `withKeys`) as JSONL; returns the keys' JWKs. */
export function writeBatchFile(file: string, count: number, withKeys: boolean): PublicJwk[] {
  const keys: PublicJwk[] = [];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const jwk = withKeys ? generateEs256KeyPair().publicJwk : undefined;
    if (jwk) keys.push(jwk);
    lines.push(JSON.stringify(batchRow(i, jwk)));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return keys;
}
