import type { Firestore } from '@google-cloud/firestore';
import type { WriteLimiter } from '../core/ports.js';
import { takeToken, type BucketState } from '../core/access/index.js';
import { bucketOf, type WriteDecision, type WriteKind, type WriteLimits } from '../core/access/index.js';

/**
 * Per-caller write limits shared by every api instance: one token bucket per caller and kind in
 * `writeLimits/{kind}-{principalId}`. One caller's writes are few enough for one document; a
 * caller who floods it is answered from this instance's memory until its bucket has refilled,
 * so a flood costs no Firestore transaction per request.
 */
export class FirestoreWriteLimiter implements WriteLimiter {
  /** When each caller's bucket, last seen empty here, has a token again. */
  private readonly emptyUntil = new Map<string, number>();

  constructor(
    private readonly db: Firestore,
    private readonly limits: WriteLimits,
  ) {}

  async take(principalId: string, kind: WriteKind, now: number): Promise<WriteDecision> {
    const key = `${kind}-${principalId}`;
    const until = this.emptyUntil.get(key);
    if (until !== undefined && until > now) return { granted: false, retryAfterMs: until - now };
    this.emptyUntil.delete(key);
    const ref = this.db.collection('writeLimits').doc(key);
    let decision: WriteDecision;
    try {
      decision = await this.db.runTransaction(async (transaction) => {
        const snapshot = await transaction.get(ref);
        const result = takeToken(snapshot.exists ? (snapshot.data() as BucketState) : null, now, bucketOf(this.limits[kind]));
        transaction.set(ref, result.state);
        return result.granted ? { granted: true as const } : { granted: false as const, retryAfterMs: result.retryAfterMs };
      });
    } catch (error) {
      // Contention on one caller's document means that caller is sending writes in a flood.
      if ((error as { code?: number }).code !== 10) throw error; // ABORTED
      decision = { granted: false, retryAfterMs: 1000 };
    }
    if (!decision.granted) this.emptyUntil.set(key, now + decision.retryAfterMs);
    return decision;
  }
}
