import { describe, expect, it } from 'vitest';
import { b64uDecodeText } from './encoding.js';

describe('b64uDecodeText', () => {
  const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  it('decodes UTF-8 text, short after long, through its reused buffer', () => {
    const long = `["salt","address",${JSON.stringify('東京都千代田区'.repeat(500))}]`;
    expect(b64uDecodeText(encode(long))).toBe(long);
    expect(b64uDecodeText(encode('["s","given_name","花子"]'))).toBe('["s","given_name","花子"]');
    expect(b64uDecodeText('')).toBe('');
  });

  it('decodes inputs past 64 KiB (the size it keeps a buffer for), and short ones after them', () => {
    const big = 'あ'.repeat(40_000); // 120,000 bytes of UTF-8
    expect(b64uDecodeText(encode(big))).toBe(big);
    expect(b64uDecodeText(encode('{"alg":"ES256"}'))).toBe('{"alg":"ES256"}');
  });
});
