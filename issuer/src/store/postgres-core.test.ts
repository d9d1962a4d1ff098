import { migrateSql, PostgresDatabase } from '@shomei/shared';
import { createTestDatabase } from '@shomei/shared/testing';
import { describe, expect, it } from 'vitest';
import { issuerCorePostgresMigrations } from './postgres-core.js';

describe('the issuer core PostgreSQL baseline', () => {
  it('creates the core tables, an empty chain head, and keeps the audit log append-only', async () => {
    const db = await PostgresDatabase.connect(await createTestDatabase());
    try {
      await migrateSql(db, [...issuerCorePostgresMigrations]);
      await migrateSql(db, [...issuerCorePostgresMigrations]); // a second replica starting: nothing to do
      const tables = await db.all<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'access_tokens',
          'admin_tokens',
          'audit_head',
          'audit_log',
          'credentials',
          'nonces',
          'offers',
          'rate_limits',
          'status_lists',
        ]),
      );
      expect(await db.get('SELECT seq, hash FROM audit_head WHERE id = 1')).toEqual({ seq: 0, hash: '0'.repeat(64) });
      await db.run("INSERT INTO audit_log (seq, at, actor, action, data, prev_hash, hash) VALUES (1, 1, 'a', 'b', '{}', 'p', 'h')");
      await expect(db.run("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
      await expect(db.run('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    } finally {
      await db.close();
    }
  });
});
