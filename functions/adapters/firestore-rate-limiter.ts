import type { Firestore } from '@google-cloud/firestore';
import type { RateLimiter } from '../core/ports.js';
import { planShards, takeToken, type BucketState } from '../core/token-bucket.js';

/**
 * A request ceiling shared by every generator instance: a token bucket split over
 * `rateLimits/{name}/shards/{i}` documents. A caller tries two random shards, so an
 * empty shard rarely costs throughput while the others still hold tokens.
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
    const first = Math.floor(this.random() * this.plan.shards);
    const second = (first + 1 + Math.floor(this.random() * Math.max(1, this.plan.shards - 1))) % this.plan.shards;
    let wait = Number.POSITIVE_INFINITY;
    for (const shard of this.plan.shards > 1 ? [first, second] : [first]) {
      const result = await this.take(shard, now);
      if (result.granted) return { granted: true };
      wait = Math.min(wait, result.retryAfterMs);
    }
    return { granted: false, retryAfterMs: wait };
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
