import { open } from 'node:fs/promises';
import { ShomeiError } from '@shomei/shared';
import { csvHeader } from './record.js';

export type BatchFormat = 'csv' | 'jsonl';

export function formatOf(file: string): BatchFormat {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  throw new ShomeiError('invalid_request', 'the batch file must end in .csv or .jsonl');
}

/** Maximum bytes of one line: a row is a few hundred bytes; anything huge is refused, not buffered. */
export const MAX_LINE = 16 * 1024;

/** One row of a chunk: its 1-based physical line number and its bytes in the chunk's buffer. */
export interface RowRef {
  line: number;
  start: number;
  end: number;
}

/** Rows as read from the file, not yet decoded: parsing happens on the signing threads. */
export interface RowChunk {
  format: BatchFormat;
  /** CSV: the header's column positions (from the file's first line). */
  header?: [string, number][];
  /** The rows' bytes, back to back (UTF-8, without line ends). */
  bytes: Buffer;
  rows: RowRef[];
  /** Lines that could not be read at all (too long), with why. */
  unreadable: { line: number; reason: string }[];
  /** The last physical line this chunk covers (rows, blanks and unreadable lines alike). */
  lastLine: number;
}

const BLOCK = 1 << 20;

/**
 * Streams a batch file as chunks of `rowsPerChunk` rows, from line `fromLine` on, as raw bytes:
 * the batch thread never turns a row into a string (decoding, splitting and copying strings to the
 * signing threads was most of its garbage). Blank lines are skipped; `\r\n` ends a line like `\n`;
 * a CSV file's first line is its header, and a bad header fails the whole batch before any row.
 * Memory stays bounded: one read block, one chunk, and at most MAX_LINE of a line being skipped.
 */
export async function* readChunks(
  file: string,
  fromLine: number,
  rowsPerChunk: number,
  /** The last line to read (a shared job's chunk is a range of lines); the rest of the file is not read. */
  toLine = Number.POSITIVE_INFINITY,
): AsyncGenerator<RowChunk> {
  const format = formatOf(file);
  const handle = await open(file, 'r');
  try {
    let header: [string, number][] | undefined;
    let chunk = newChunk(format);
    let line = 0;
    /** The start of a line cut by the end of a read block, and whether that line is already too long. */
    let carry = Buffer.alloc(0);
    let overlong = false;
    const block = Buffer.allocUnsafe(BLOCK);
    let position = 0;

    const take = (data: Buffer, from: number, to: number): void => {
      line++;
      let end = to;
      if (end > from && data[end - 1] === 13) end--; // \r\n
      if (overlong || end - from > MAX_LINE) {
        if (line >= fromLine) chunk.unreadable.push({ line, reason: `line is longer than ${MAX_LINE} bytes` });
      } else if (!isBlank(data, from, end)) {
        if (format === 'csv' && header === undefined) {
          header = [...csvHeader(data.toString('utf8', from, end))];
        } else if (line >= fromLine) {
          chunk.rows.push(appendRow(chunk, data, from, end, line));
        }
      }
      overlong = false;
      if (line >= fromLine) chunk.lastLine = line;
    };

    reading: for (;;) {
      const { bytesRead } = await handle.read(block, 0, BLOCK, position);
      position += bytesRead;
      const eof = bytesRead === 0;
      const data = carry.length > 0 ? Buffer.concat([carry, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
        take(data, from, nl);
        from = nl + 1;
        if (chunk.rows.length >= rowsPerChunk) {
          yield { ...chunk, ...(header ? { header } : {}) };
          chunk = newChunk(format);
        }
        if (line >= toLine) break reading;
      }
      if (eof) {
        if (from < data.length || overlong) take(data, from, data.length); // a last line without \n
        break;
      }
      // Keep the unfinished line for the next block (a copy: the block is reused), or only note
      // that it is too long: a line with no end in sight is never buffered whole.
      if (data.length - from > MAX_LINE) {
        overlong = true;
        carry = Buffer.alloc(0);
      } else carry = Buffer.from(data.subarray(from));
    }
    if (chunk.rows.length > 0 || chunk.unreadable.length > 0 || chunk.lastLine >= fromLine) {
      yield { ...chunk, ...(header ? { header } : {}) };
    }
  } finally {
    await handle.close();
  }
}

function newChunk(format: BatchFormat): RowChunk {
  return { format, bytes: Buffer.allocUnsafe(256 * 1024), rows: [], unreadable: [], lastLine: 0 };
}

/** Copies a row into the chunk's buffer (grown by doubling) and returns where it landed. */
function appendRow(chunk: RowChunk, data: Buffer, from: number, end: number, line: number): RowRef {
  const last = chunk.rows[chunk.rows.length - 1];
  const start = last ? last.end : 0;
  const needed = start + (end - from);
  if (needed > chunk.bytes.length) {
    const grown = Buffer.allocUnsafe(Math.max(needed, chunk.bytes.length * 2));
    chunk.bytes.copy(grown, 0, 0, start);
    chunk.bytes = grown;
  }
  data.copy(chunk.bytes, start, from, end);
  return { line, start, end: needed };
}

/** Only spaces, tabs and carriage returns (or nothing). */
function isBlank(data: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const b = data[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}
