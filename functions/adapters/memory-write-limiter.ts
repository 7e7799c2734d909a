import type { WriteLimiter } from '../core/ports.js';
import { takeToken, type BucketState } from '../core/access/index.js';
import { bucketOf, type WriteDecision, type WriteKind, type WriteLimits } from '../core/access/index.js';

/** The per-caller write limits in one process, for unit tests and single-instance use. */
export class MemoryWriteLimiter implements WriteLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly limits: WriteLimits) {}

  async take(principalId: string, kind: WriteKind, now: number): Promise<WriteDecision> {
    const key = `${kind}/${principalId}`;
    const result = takeToken(this.buckets.get(key) ?? null, now, bucketOf(this.limits[kind]));
    this.buckets.set(key, result.state);
    return result.granted ? { granted: true } : { granted: false, retryAfterMs: result.retryAfterMs };
  }
}
