import type { Firestore } from '@google-cloud/firestore';
import type { RateLimiter } from '../core/ports.js';
import { planShards, takeToken, type BucketState } from '../core/access/index.js';

const SHARDS_TRIED = 4;

/**
 * A request ceiling shared by every generator instance: a token bucket split over
 * `rateLimits/{name}/shards/{i}` documents. A caller tries a few random shards before
 * waiting, so a token rarely sits unused on a shard nobody looked at.
 */
export class FirestoreRateLimiter implements RateLimiter {
  private readonly plan: ReturnType<typeof planShards>;

  constructor(
    private readonly db: Firestore,
    private readonly name: string,
    requestsPerMinute: number,
    private readonly random: () => number = Math.random,
  ) {
    this.plan = planShards(requestsPerMinute);
  }

  async tryAcquire(now: number): Promise<{ granted: true } | { granted: false; retryAfterMs: number }> {
    let wait = Number.POSITIVE_INFINITY;
    for (const shard of this.sampleShards()) {
      const result = await this.take(shard, now);
      if (result.granted) return { granted: true };
      wait = Math.min(wait, result.retryAfterMs);
    }
    return { granted: false, retryAfterMs: wait };
  }

  /** Up to SHARDS_TRIED distinct shards in random order: enough that a token rarely waits unseen. */
  private sampleShards(): number[] {
    const start = Math.floor(this.random() * this.plan.shards);
    const step = 1 + Math.floor(this.random() * Math.max(1, this.plan.shards - 1));
    const picked = new Set<number>();
    for (let i = 0; picked.size < Math.min(SHARDS_TRIED, this.plan.shards) && i < this.plan.shards * 2; i++) picked.add((start + i * step) % this.plan.shards);
    for (let i = 0; picked.size < Math.min(SHARDS_TRIED, this.plan.shards); i++) picked.add(i);
    return [...picked];
  }

  private take(shard: number, now: number) {
    const ref = this.db.collection('rateLimits').doc(this.name).collection('shards').doc(String(shard));
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(ref);
      const result = takeToken(snapshot.exists ? (snapshot.data() as BucketState) : null, now, this.plan.shard);
      transaction.set(ref, result.state);
      return result;
    });
  }
}
