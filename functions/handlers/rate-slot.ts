import type { RateLimiter } from '../core/ports.js';

export type RateSlot = { ok: true } | { ok: false; retryAfterMs: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits for a slot of the deployment-wide rate limit until `deadline` (epoch ms), the latest start
 * that still leaves the lease room for the call itself. No limiter means no limit.
 */
export async function waitForRateSlot(limiter: RateLimiter | undefined, deadline: number, now: () => number, sleep: (ms: number) => Promise<void> = realSleep): Promise<RateSlot> {
  if (!limiter) return { ok: true };
  for (;;) {
    const slot = await limiter.tryAcquire(now());
    if (slot.granted) return { ok: true };
    // Jitter spreads waiting workers out, so they don't all retry the same shard at once.
    const pause = slot.retryAfterMs + Math.floor(Math.random() * 50);
    if (now() + pause > deadline) return { ok: false, retryAfterMs: slot.retryAfterMs };
    await sleep(pause);
  }
}
