import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ShomeiError } from '@shomei/shared';
import { csvHeader, csvRow } from './record.js';

export type BatchFormat = 'csv' | 'jsonl';

export interface RawRow {
  /** 1-based physical line number in the file. */
  line: number;
  /** The row shaped as JSON, or the reason it could not be read. */
  row?: unknown;
  error?: string;
}

export function formatOf(file: string): BatchFormat {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  throw new ShomeiError('invalid_request', 'the batch file must end in .csv or .jsonl');
}

/** Maximum bytes of one line: a row is a few hundred bytes; anything huge is refused, not buffered. */
const MAX_LINE = 16 * 1024;

/**
 * Streams a batch file row by row (never loading it whole). Blank lines are skipped; a CSV file's
 * first line is its header, and a bad header fails the whole batch before any row is issued.
 */
export async function* readRows(file: string): AsyncGenerator<RawRow> {
  const format = formatOf(file);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let header: Map<string, number> | undefined;
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    if (text.length > MAX_LINE) {
      yield { line, error: `line is longer than ${MAX_LINE} bytes` };
      continue;
    }
    if (format === 'csv' && !header) {
      header = csvHeader(text);
      continue;
    }
    try {
      yield { line, row: format === 'csv' ? csvRow(text, header as Map<string, number>) : parseJsonLine(text) };
    } catch (e) {
      yield { line, error: e instanceof ShomeiError ? e.message : 'unreadable row' };
    }
  }
}

function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ShomeiError('invalid_request', 'row is not valid JSON');
  }
}
