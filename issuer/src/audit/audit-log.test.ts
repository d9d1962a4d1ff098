import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, issueOne } from '../testing/harness.js';
import { appendAudit, exportAudit, verifyAudit } from './audit-log.js';

let h: Harness;
afterEach(() => h.close());

async function withEntries(): Promise<Harness> {
  h = await createHarness();
  for (let i = 0; i < 4; i++)
    await appendAudit(h.deps.sql, h.now, { actor: 'system', action: 'test.event', subject: `s${i}`, data: { i } });
  await issueOne(h);
  return h;
}

/** What someone with write access to the file does: lift the append-only triggers, then edit. */
function tamper(sql: string): void {
  h.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  h.db.exec(sql);
}

const BIN = fileURLToPath(new URL('../../bin/shomei-issuer.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

async function exported(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of exportAudit(h.deps.sql)) lines.push(line);
  return lines;
}

describe('audit log', () => {
  it('chains every entry and verifies intact, with issuance recorded', async () => {
    await withEntries();
    const result = await verifyAudit(h.deps.sql);
    expect(result).toMatchObject({ ok: true, entries: 5 });
    const lines = (await exported()).map((l) => JSON.parse(l) as { seq: number; action: string; prev_hash: string; hash: string });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[4]?.action).toBe('credential.issued');
    expect(lines[1]?.prev_hash).toBe(lines[0]?.hash);
    expect(result.head).toBe(lines[4]?.hash);
  });

  it('refuses UPDATE and DELETE through SQL (append-only triggers)', async () => {
    await withEntries();
    expect(() => h.db.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => h.db.exec('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
  });

  it('audit verify fails after one row is edited directly in SQLite', async () => {
    await withEntries();
    tamper(`UPDATE audit_log SET data = '{"i":99}' WHERE seq = 3`);
    expect(await verifyAudit(h.deps.sql)).toMatchObject({ ok: false, problem: { seq: 3, kind: 'edited' } });
  });

  it('detects a removed row, a reordered pair, a re-hashed edit and a cut tail', async () => {
    await withEntries();
    const head = (await verifyAudit(h.deps.sql)).head;
    tamper('DELETE FROM audit_log WHERE seq = 2');
    expect(await verifyAudit(h.deps.sql)).toMatchObject({ ok: false, problem: { kind: 'missing_or_reordered' } });
    h.close();

    await withEntries();
    // Swap the contents of rows 2 and 3 (keeping each row's own hash valid is impossible without the chain).
    tamper(
      `UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1;`,
    );
    expect((await verifyAudit(h.deps.sql)).ok).toBe(false);
    h.close();

    await withEntries();
    // An editor who recomputes the edited row's hash still breaks the next row's link.
    const { entryHash } = await import('./audit-log.js');
    const row = h.db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as Record<string, unknown>;
    const edited = { ...row, data: '{"i":42}' } as Parameters<typeof entryHash>[0] & { hash?: string };
    tamper(`UPDATE audit_log SET data = '{"i":42}', hash = '${entryHash({ ...edited })}' WHERE seq = 2`);
    expect(await verifyAudit(h.deps.sql)).toMatchObject({ ok: false, problem: { seq: 3, kind: 'broken_link' } });
    h.close();

    await withEntries();
    tamper('DELETE FROM audit_log WHERE seq = 5');
    expect((await verifyAudit(h.deps.sql)).ok).toBe(true);
    expect((await verifyAudit(h.deps.sql, head)).ok).toBe(false);
  });

  it.skipIf(!existsSync(DIST))('shomei-issuer audit verify exits 1 after an edit; audit export writes JSONL', async () => {
    await withEntries();
    const env = { ...process.env, SHOMEI_ISSUER_DATA: h.dir };
    const ok = spawnSync(process.execPath, [BIN, 'audit', 'verify', '--json'], { env, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, entries: 5 });
    const exported = spawnSync(process.execPath, [BIN, 'audit', 'export'], { env, encoding: 'utf8' });
    expect(exported.stdout.trim().split('\n')).toHaveLength(5);
    tamper("UPDATE audit_log SET actor = 'admin:mallory' WHERE seq = 1");
    const bad = spawnSync(process.execPath, [BIN, 'audit', 'verify'], { env, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/BROKEN at entry 1/);
  });
});
