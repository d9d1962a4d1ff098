import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { looseModes, openDatabase } from './db.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase file modes', () => {
  it('creates the folder 0700 and the database, its WAL and its shared-memory file 0600', () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-db-'));
    const file = join(dir, 'data', 'service.db');
    const warnings: string[] = [];
    const db = openDatabase(file, [{ id: 't-001', sql: 'CREATE TABLE t (v TEXT)' }], { warn: (m) => warnings.push(m) });
    db.prepare('INSERT INTO t VALUES (?)').run('x');
    expect(modeOf(join(dir, 'data'))).toBe(0o700);
    for (const suffix of ['', '-wal', '-shm']) expect(modeOf(`${file}${suffix}`), `service.db${suffix}`).toBe(0o600);
    db.close();
    expect(warnings).toEqual([]);
  });

  it('warns about an existing folder or file that others can read, and leaves its mode alone', () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-db-'));
    const data = join(dir, 'data');
    mkdirSync(data);
    chmodSync(data, 0o755);
    const file = join(data, 'service.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    openDatabase(file, [], { warn: (m) => warnings.push(m) }).close();
    expect(warnings).toEqual([
      `${data} has mode 755: others than its owner have access (expected 700)`,
      `${file} has mode 644: others than its owner have access (expected 600)`,
    ]);
    expect(modeOf(file)).toBe(0o644);
    expect(looseModes([join(data, 'missing.db')])).toEqual([]);
  });
});
