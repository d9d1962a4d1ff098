import { ShomeiError } from '@shomei/shared';

/**
 * A fixed-window counter per key (client address): at most `limit` hits per `windowMs`. In memory,
 * so per process; enough to stop one client hammering a public endpoint.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  hit(key: string, now: number): void {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.prune(now);
      this.windows.set(key, { start: now, count: 1 });
      return;
    }
    w.count++;
    if (w.count > this.limit) {
      const retry = Math.ceil((w.start + this.windowMs - now) / 1000);
      throw new ShomeiError('rate_limited', `too many requests; try again in ${retry} s`, { details: { retry_after: retry } });
    }
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
