// The per-image "usable" verdict, as functions/core/runs/usable.ts decides it for the export, so the
// gallery's counts change the moment a rating does. test/unit/usable.test.ts checks both agree.
export const MIN_USABLE_RELEVANCE = 3;

export function usableVerdict({ issues, review }) {
  const reasons = issues.map((flag) => `issue:${flag}`);
  if (review?.relevance != null && review.relevance < MIN_USABLE_RELEVANCE) reasons.push(`rated ${review.relevance} (below ${MIN_USABLE_RELEVANCE})`);
  if (review?.inappropriate) reasons.push('marked inappropriate');
  return { usable: reasons.length === 0, reasons };
}
