import { ShomeiError, type SqlExecutor } from '@shomei/shared';

/** Out of every this many hits, one also sweeps windows that have ended (the table stays small). */
const SWEEP_EVERY = 500;

/**
 * A fixed-window counter per key (client address): at most `limit` hits per `windowMs`. The counts
 * live in the database (`rate_limits`), so replicas behind a load balancer share one budget per
 * client rather than each granting its own. One upsert per hit: it starts a new window when the
 * old one has ended and otherwise adds one, and returns the count it left.
 */
export class RateLimiter {
  private hits = 0;

  constructor(
    private readonly sql: SqlExecutor,
    /** Names this limiter's keys apart from other limiters' (`applications`, `offer-fetch`). */
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async hit(clientKey: string, now: number): Promise<void> {
    const ended = now - this.windowMs;
    const row = await this.sql.get<{ window_start: number; count: number }>(
      `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
         window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
       RETURNING window_start, count`,
      [`${this.name}:${clientKey}`, now, ended, ended],
    );
    if (++this.hits % SWEEP_EVERY === 0) await this.sql.run('DELETE FROM rate_limits WHERE window_start <= ?', [ended]);
    if (row && Number(row.count) > this.limit) {
      const retry = Math.max(1, Math.ceil((Number(row.window_start) + this.windowMs - now) / 1000));
      throw new ShomeiError('rate_limited', `too many requests; try again in ${retry} s`, { details: { retry_after: retry } });
    }
  }
}
