import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import { displayWidth, formatValue, sanitize } from './text.js';

describe('terminal text', () => {
  it('counts kanji and kana as two columns, half-width kana as one', () => {
    expect(displayWidth('山田 花子')).toBe(9);
    expect(displayWidth('ヤマダ')).toBe(6);
    expect(displayWidth('ﾔﾏﾀﾞ')).toBe(4);
    expect(displayWidth('〒100-0001')).toBe(10);
  });

  it('lines up columns after wide cells', () => {
    const out = renderTable(
      ['NAME', 'CITY', 'NOTE'],
      [
        ['山田', '千代田区', 'a'],
        ['Smith', 'NYC', 'b'],
      ],
    );
    const lines = out.trimEnd().split('\n');
    const noteColumn = lines.map((l) => displayWidth(l.slice(0, l.search(/[ab]$|NOTE$/))));
    expect(new Set(noteColumn).size).toBe(1);
    expect(lines[1]).toBe('山田   千代田区  a');
  });

  it('strips terminal control sequences and bidi overrides from remote text', () => {
    expect(sanitize('Good\u001b[31mBank\u202egnp.exe\u0007')).toBe('Good[31mBankgnp.exe');
    expect(sanitize('a\n\tb')).toBe('a b');
    expect(sanitize('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(formatValue(true)).toBe('yes');
    expect(formatValue({ a: '\u001b' })).toBe('{"a":"\\u001b"}');
  });
});
