import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ShomeiError } from '@shomei/shared';
import { csvHeader, csvRow } from './record.js';

export type BatchFormat = 'csv' | 'jsonl';

export interface RawRow {
  /** 1-based physical line number in the file. */
  line: number;
  /** A JSONL line as read (parsed later, on a worker thread). */
  text?: string;
  /** A CSV line shaped like a JSONL row. */
  row?: unknown;
  /** Why the line could not be read. */
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
    if (format === 'jsonl') {
      yield { line, text };
      continue;
    }
    try {
      yield { line, row: csvRow(text, header as Map<string, number>) };
    } catch (e) {
      yield { line, error: e instanceof ShomeiError ? e.message : 'unreadable row' };
    }
  }
}
