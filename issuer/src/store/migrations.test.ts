import { migrate, openDatabase } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { issuerMigrations } from './migrations.js';

describe('issuer migrations', () => {
  it('issuer-010 rebuilds credentials with offer_id nullable and batch_job_id, keeping the rows of a database made before it; issuer-012 reserves their status indexes', () => {
    const upTo010 = issuerMigrations.slice(
      0,
      issuerMigrations.findIndex((m) => m.id === 'issuer-010-batch'),
    );
    const db = openDatabase(':memory:', upTo010);
    db.prepare(
      `INSERT INTO offers (id, code_hash, identity_sealed, assurance_level, evidence_type, evidence_method, sandbox, proofed_at,
         created_at, expires_at) VALUES ('o1', 'h', 's', 'IAL2', 'document', 'pipp', 0, 1, 1, 2)`,
    ).run();
    db.prepare("INSERT INTO status_lists (id, bits, size, list, updated_at) VALUES ('1', 2, 8, x'00', 1)").run();
    db.prepare(
      `INSERT INTO credentials (id, offer_id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox, issued_at,
         expires_at, status_reason) VALUES ('c1', 'o1', '1', 3, 't', 'IAL2', 0, 1, 2, 'why')`,
    ).run();
    migrate(db, issuerMigrations);
    expect(db.prepare('SELECT * FROM credentials').all()).toMatchObject([
      { id: 'c1', offer_id: 'o1', status_list_id: '1', status_idx: 3, status: 'valid', status_reason: 'why', batch_job_id: null },
    ]);
    const columns = db.prepare('PRAGMA table_info(credentials)').all() as { name: string; notnull: number }[];
    expect(columns.map((c) => c.name)).toEqual([
      'id',
      'offer_id',
      'status_list_id',
      'status_idx',
      'status',
      'holder_jwk_thumbprint',
      'assurance_level',
      'sandbox',
      'issued_at',
      'expires_at',
      'status_reason',
      'batch_job_id',
    ]);
    expect(columns.find((c) => c.name === 'offer_id')?.notnull).toBe(0);
    expect(() =>
      db
        .prepare(
          "INSERT INTO credentials (id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox, issued_at, expires_at) VALUES ('c2', '1', 3, 't', 'IAL2', 0, 1, 2)",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // issuer-012: the recorded credential's index is reserved, so no allocator hands it out again.
    expect(db.prepare("SELECT reserved FROM status_lists WHERE id = '1'").get()).toEqual({ reserved: Buffer.from([0b1000]) });
  });
});
