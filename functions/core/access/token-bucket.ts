/**
 * Token-bucket arithmetic for the deployment-wide request ceiling. Pure, so the Firestore
 * and in-memory limiters share it. The ceiling is split over several shards, each a bucket
 * of its own, so no single Firestore document takes every request's write.
 */
export interface BucketState {
  tokens: number;
  updatedAt: number;
}

export interface ShardConfig {
  /** Tokens this shard gains per millisecond. */
  ratePerMs: number;
  /** Most tokens a shard can hold: the burst it allows. */
  capacity: number;
}

export type TakeResult = { granted: true; state: BucketState } | { granted: false; state: BucketState; retryAfterMs: number };

export function takeToken(current: BucketState | null, now: number, shard: ShardConfig): TakeResult {
  const start = current ?? { tokens: shard.capacity, updatedAt: now };
  const elapsed = Math.max(0, now - start.updatedAt);
  const tokens = Math.min(shard.capacity, start.tokens + elapsed * shard.ratePerMs);
  if (tokens >= 1) return { granted: true, state: { tokens: tokens - 1, updatedAt: now } };
  return { granted: false, state: { tokens, updatedAt: now }, retryAfterMs: Math.ceil((1 - tokens) / shard.ratePerMs) };
}

/**
 * About one write per second per shard, Firestore's sustained rate for one document.
 * Each shard holds a burst of at most a second or two of its share.
 */
export function planShards(requestsPerMinute: number): { shards: number; shard: ShardConfig } {
  const shards = Math.min(64, Math.max(1, Math.ceil(requestsPerMinute / 60)));
  const ratePerMs = requestsPerMinute / shards / 60_000;
  return { shards, shard: { ratePerMs, capacity: Math.max(1, ratePerMs * 2000) } };
}
