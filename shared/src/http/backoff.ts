export interface BackoffOptions {
  /** The wait after the first failure; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
  /** A key with no failure for this long is forgotten (its next failure starts at `baseMs` again). */
  forgetAfterMs: number;
  /** At most this many keys are remembered; the oldest failure is dropped first. */
  maxKeys: number;
}

interface Failure {
  count: number;
  lastAt: number;
  retryAt: number;
}

/**
 * A negative cache with exponential back-off, keyed by origin: after a failure the key is
 * blocked for base, 2·base, 4·base … up to max; a success or a long quiet spell forgets it.
 * Times are passed in (no clock inside).
 */
export class Backoff {
  private readonly failures = new Map<string, Failure>();

  constructor(private readonly options: BackoffOptions) {}

  /** Until when `key` is blocked (epoch ms), or undefined when it may be tried at `now`. */
  blockedUntil(key: string, now: number): number | undefined {
    const f = this.failures.get(key);
    if (!f) return undefined;
    if (now - f.lastAt >= this.options.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return now < f.retryAt ? f.retryAt : undefined;
  }

  /** Records a failure at `now` and returns how long the key is now blocked for. */
  failed(key: string, now: number): number {
    const previous = this.failures.get(key);
    const fresh = !previous || now - previous.lastAt >= this.options.forgetAfterMs;
    const count = fresh ? 1 : previous.count + 1;
    const waitMs = Math.min(this.options.baseMs * 2 ** Math.min(count - 1, 30), this.options.maxMs);
    this.failures.delete(key); // re-inserted last: the Map's order is the eviction order
    this.failures.set(key, { count, lastAt: now, retryAt: now + waitMs });
    while (this.failures.size > this.options.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
    return waitMs;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  get size(): number {
    return this.failures.size;
  }
}
