import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import { reviewDiffers, type PromptRecord, type ReviewChange, type ReviewsWritten } from '../core/runs/index.js';

/**
 * RunStore.setReviews on Firestore: one transaction reads every named prompt, so a missing one
 * writes nothing and the previous reviews answered are exactly those replaced. A page is at most
 * MAX_BULK_REVIEWS prompts, well under a transaction's 500 writes.
 */
export function writeReviews(db: Firestore, prompts: CollectionReference, changes: ReviewChange[]): Promise<ReviewsWritten> {
  const refs = changes.map((change) => prompts.doc(change.promptId));
  return db.runTransaction(async (transaction) => {
    const snapshots = refs.length > 0 ? await transaction.getAll(...refs) : [];
    const missing = changes.filter((_, i) => !snapshots[i]!.exists).map((change) => change.promptId);
    if (missing.length > 0) return { ok: false, missing };
    const before = snapshots.map((snapshot) => (snapshot.get('review') as PromptRecord['review'] | undefined) ?? null);
    for (const [i, change] of changes.entries()) if (reviewDiffers(before[i], change.review)) transaction.update(refs[i]!, { review: change.review });
    return { ok: true, previous: changes.map((change, i) => ({ promptId: change.promptId, review: before[i]! })) };
  });
}
