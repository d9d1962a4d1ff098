import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  const options = { baseMs: 1000, maxMs: 8000, forgetAfterMs: 60_000, maxKeys: 3 };

  it('blocks a failed key for base, then doubles the wait up to max', () => {
    const b = new Backoff(options);
    expect(b.blockedUntil('o', 0)).toBeUndefined();
    expect([b.failed('o', 0), b.failed('o', 1000), b.failed('o', 3000), b.failed('o', 7000), b.failed('o', 15_000)]).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
    expect(b.blockedUntil('o', 22_999)).toBe(23_000);
    expect(b.blockedUntil('o', 23_000)).toBeUndefined();
  });

  it('forgets a key after a quiet spell and after a success', () => {
    const b = new Backoff(options);
    b.failed('o', 0);
    b.failed('o', 1000);
    expect(b.failed('o', 1000 + 60_000)).toBe(1000);
    b.succeeded('o');
    expect(b.blockedUntil('o', 61_001)).toBeUndefined();
    expect(b.failed('o', 61_001)).toBe(1000);
  });

  it('keeps at most maxKeys, dropping the oldest failure', () => {
    const b = new Backoff(options);
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) b.failed(key, i);
    expect(b.size).toBe(3);
    expect(b.blockedUntil('a', 10)).toBeUndefined();
    expect(b.blockedUntil('d', 10)).toBe(1003);
  });
});
