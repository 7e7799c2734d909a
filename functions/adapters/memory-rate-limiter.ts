import type { RateLimiter } from '../core/ports.js';
import { takeToken, type BucketState, type ShardConfig } from '../core/access/index.js';

/** In-process limiter with the same arithmetic, for unit tests; `unlimited` lets everything through. */
export class MemoryRateLimiter implements RateLimiter {
  private state: BucketState | null = null;
  private readonly shard: ShardConfig;

  /** One bucket at the full rate, with the same two-second burst as the sharded limiter. */
  constructor(requestsPerMinute: number) {
    const ratePerMs = requestsPerMinute / 60_000;
    this.shard = { ratePerMs, capacity: Math.max(1, ratePerMs * 2000) };
  }

  async tryAcquire(now: number): Promise<{ granted: true } | { granted: false; retryAfterMs: number }> {
    const result = takeToken(this.state, now, this.shard);
    this.state = result.state;
    return result.granted ? { granted: true } : { granted: false, retryAfterMs: result.retryAfterMs };
  }
}

export const unlimited: RateLimiter = { tryAcquire: async () => ({ granted: true }) };
