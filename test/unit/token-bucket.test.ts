import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.js';
import { planShards, takeToken } from '../../functions/core/access/index.js';

describe('planShards', () => {
  it.each([
    { rpm: 10, shards: 1 },
    { rpm: 60, shards: 1 },
    { rpm: 61, shards: 2 },
    { rpm: 600, shards: 10 },
    { rpm: 100_000, shards: 64 },
  ])('$rpm requests/min → $shards shards at ≤ ~1 write/s each', ({ rpm, shards }) => {
    const plan = planShards(rpm);
    expect(plan.shards).toBe(shards);
    expect(plan.shard.ratePerMs * plan.shards * 60_000).toBeCloseTo(rpm, 6);
    expect(plan.shard.capacity).toBeGreaterThanOrEqual(1);
  });
});

describe('takeToken', () => {
  const shard = { ratePerMs: 1 / 1000, capacity: 2 };
  it('starts full, drains, then says how long to wait', () => {
    let result = takeToken(null, 0, shard);
    expect(result.granted).toBe(true);
    result = takeToken(result.state, 0, shard);
    expect(result.granted).toBe(true);
    result = takeToken(result.state, 0, shard);
    expect(result).toMatchObject({ granted: false, retryAfterMs: 1000 });
    expect(takeToken(result.state, 1000, shard).granted).toBe(true);
  });

  it('never holds more than its capacity', () => {
    expect(takeToken({ tokens: 0, updatedAt: 0 }, 1_000_000, shard).state.tokens).toBe(1);
  });
});

describe('MemoryRateLimiter', () => {
  it('grants about the ceiling over a simulated minute', async () => {
    const limiter = new MemoryRateLimiter(120);
    let granted = 0;
    for (let t = 0; t < 60_000; t += 50) if ((await limiter.tryAcquire(t)).granted) granted++;
    expect(granted).toBeGreaterThanOrEqual(120);
    expect(granted).toBeLessThanOrEqual(124);
  });
});
