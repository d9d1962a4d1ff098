import { describe, expect, it } from 'vitest';
import { b64uCanonicalBytes, b64uDecodeText } from './encoding.js';

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

describe('b64uCanonicalBytes', () => {
  const bytes = Buffer.from('0123456789abcdef0123456789abcdef');
  const text = bytes.toString('base64url'); // 43 characters, 2 spare bits

  it('returns the bytes of canonical text of exactly the size', () => {
    expect(b64uCanonicalBytes(text, 32)).toEqual(bytes);
  });

  it('refuses other sizes, padding, characters outside the alphabet and set spare bits', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spareBitSet = text.slice(0, -1) + alphabet[alphabet.indexOf(text.slice(-1)) ^ 1];
    expect(Buffer.from(spareBitSet, 'base64url')).toEqual(bytes); // Buffer alone would accept it
    for (const bad of [text.slice(1), `${text}A`, `${text.slice(0, -1)}=`, `+${text.slice(1)}`, `${text.slice(0, -1)}.`, spareBitSet]) {
      expect(b64uCanonicalBytes(bad, 32)).toBeUndefined();
    }
    expect(b64uCanonicalBytes(text, 31)).toBeUndefined();
  });
});
