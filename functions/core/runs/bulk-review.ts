/** Reviewing a page of images at once, and undoing it: the request, and what counts as a change. Pure. */
import { z } from 'zod';
import { reviewInputSchema, type Review } from './review.js';

/** One page of the gallery's grid at most: a bulk review is one Firestore transaction (500 writes at most). */
export const MAX_BULK_REVIEWS = 100;

const PROMPT_ID = /^p[0-9]{1,6}$/;

/**
 * `review: null` clears the image's review, so an undo can restore "not reviewed". Each review is
 * validated by the same schema as a single review, so fields added there are accepted here too.
 */
export const bulkReviewSchema = z
  .object({
    items: z
      .array(z.object({ promptId: z.string().regex(PROMPT_ID, 'promptId must look like p0001'), review: reviewInputSchema.nullable() }).strict())
      .min(1, 'items must name at least one image')
      .max(MAX_BULK_REVIEWS, `items may name at most ${MAX_BULK_REVIEWS} images; send one request per page`)
      .superRefine((items, context) => {
        const seen = new Set<string>();
        for (const [index, item] of items.entries()) {
          if (seen.has(item.promptId)) context.addIssue({ code: 'custom', path: [index, 'promptId'], message: `${item.promptId} is named twice; each image at most once per request` });
          seen.add(item.promptId);
        }
      }),
  })
  .strict();

export type BulkReviewInput = z.infer<typeof bulkReviewSchema>;

/** A prompt's review to write (null: none), or, in an answer, the review it had before. */
export interface ReviewChange {
  promptId: string;
  review: Review | null;
}

/** What a bulk write did: each named prompt's review before, or the named prompts that do not exist (then nothing is written). */
export type ReviewsWritten = { ok: true; previous: ReviewChange[] } | { ok: false; missing: string[] };

/** Whether writing `next` over `previous` changes what the reviewer decided (who and when aside). */
export function reviewDiffers(previous: Review | null | undefined, next: Review | null): boolean {
  if (!previous || !next) return (previous ?? null) !== next;
  const { reviewedBy: _by, reviewedAt: _at, ...before } = previous;
  const { reviewedBy: _nextBy, reviewedAt: _nextAt, ...after } = next;
  return stableJson(before) !== stableJson(after);
}

/** JSON with sorted keys, so field order never counts as a change. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
