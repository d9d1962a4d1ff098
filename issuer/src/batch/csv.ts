import { ShomeiError } from '@shomei/shared';

/**
 * Splits one CSV line (RFC 4180: comma-separated, fields optionally in double quotes, a quote
 * inside a quoted field doubled). Records span one line: a batch file with a line break inside a
 * field is refused row by row rather than silently merged.
 */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) throw new ShomeiError('malformed', 'unterminated quoted field');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') throw new ShomeiError('malformed', 'a quoted field must be followed by a comma');
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) throw new ShomeiError('malformed', 'a quote inside an unquoted field');
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}
