/**
 * The one per-image verdict that downstream steps filter on. The gallery counts it, the export
 * writes it as a `usable` column, and split exclusion policies reuse its reasons. Expected flags
 * (a night scene's `dark`, when the scenario declares it) are never in `issues`, so they never count.
 * The privacy guard's `copies_reference` and `unscreened_reference` are issues like any other here,
 * and no scenario may expect them; the export goes further and never includes such an image
 * (core/export/withheld-images.ts).
 */
import type { Review } from './review.js';

export interface UsableInput {
  issues: readonly string[];
  review: Pick<Review, 'relevance' | 'inappropriate'> | null;
}

export interface UsableVerdict {
  usable: boolean;
  /** Why not, in plain words such as `issue:dark` or `rated 2 (below 3)`; empty when usable. */
  reasons: string[];
}

/** A human rating below this makes an image unusable. */
export const MIN_USABLE_RELEVANCE = 3;

export function usableVerdict({ issues, review }: UsableInput): UsableVerdict {
  const reasons = issues.map((flag) => `issue:${flag}`);
  if (review?.relevance != null && review.relevance < MIN_USABLE_RELEVANCE) reasons.push(`rated ${review.relevance} (below ${MIN_USABLE_RELEVANCE})`);
  if (review?.inappropriate) reasons.push('marked inappropriate');
  return { usable: reasons.length === 0, reasons };
}
