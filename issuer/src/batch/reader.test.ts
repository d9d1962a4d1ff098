import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE, type RowChunk, readChunks } from './reader.js';
import { CSV_COLUMNS } from './record.js';

const dir = mkdtempSync(join(tmpdir(), 'shomei-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(name: string, content: string | Buffer, fromLine = 1, rowsPerChunk = 1000): Promise<RowChunk[]> {
  const file = join(dir, name);
  writeFileSync(file, content);
  const chunks: RowChunk[] = [];
  for await (const chunk of readChunks(file, fromLine, rowsPerChunk)) chunks.push(chunk);
  return chunks;
}

const rowsOf = (chunks: RowChunk[]) => chunks.flatMap((c) => c.rows.map((r) => [r.line, c.bytes.toString('utf8', r.start, r.end)]));

describe('readChunks', () => {
  it('numbers physical lines, skips blank ones, takes \\r\\n and a last line without an end', async () => {
    const chunks = await readAll('a.jsonl', '{"a":1}\r\n\n   \n{"b":"鈴木"}\n{"c":3}');
    expect(rowsOf(chunks)).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":"鈴木"}'],
      [5, '{"c":3}'],
    ]);
    expect(chunks.at(-1)?.lastLine).toBe(5);
  });

  it('cuts chunks by rows and resumes from a line', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `{"n":${i + 1}}`).join('\n');
    const chunks = await readAll('b.jsonl', text, 4, 3);
    expect(chunks.map((c) => c.rows.map((r) => r.line))).toEqual([[4, 5, 6], [7, 8, 9], [10]]);
    expect(chunks.map((c) => c.lastLine)).toEqual([6, 9, 10]);
  });

  it('refuses an overlong line without buffering it, also across read blocks, and goes on', async () => {
    const huge = 'x'.repeat(3 * 1024 * 1024); // longer than a read block
    const chunks = await readAll('c.jsonl', `{"a":1}\n${'y'.repeat(MAX_LINE + 1)}\n${huge}\n{"b":2}\n`);
    expect(rowsOf(chunks)).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
    ]);
    expect(chunks.flatMap((c) => c.unreadable)).toEqual([
      { line: 2, reason: `line is longer than ${MAX_LINE} bytes` },
      { line: 3, reason: `line is longer than ${MAX_LINE} bytes` },
    ]);
  });

  it('reads a CSV header (with a byte-order mark) and hands its positions along', async () => {
    const header = `\uFEFF${CSV_COLUMNS.join(',')}`;
    const chunks = await readAll('d.csv', `${header}\nrow-1\nrow-2\n`, 3);
    expect(rowsOf(chunks)).toEqual([[3, 'row-2']]);
    expect(new Map(chunks[0]?.header).get('external_id')).toBe(0);
  });

  it('fails the whole batch on a bad CSV header', async () => {
    await expect(readAll('e.csv', 'external_id,nope\nx,y\n')).rejects.toThrow(/unknown CSV column nope/);
  });
});
