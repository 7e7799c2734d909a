/** Which of a finished run's slots a selection takes. Pure. */
import { MIN_USABLE_RELEVANCE, usableVerdict, type PromptStatus, type Review } from '../runs/index.js';
import { describeSelection, type Selection } from './revision-model.js';

export interface SelectablePrompt {
  promptId: string;
  status: PromptStatus;
  /** The run's quality flags for the image (duplicates included); empty when it has none or no image. */
  issues: readonly string[];
  review: Pick<Review, 'relevance' | 'inappropriate'> | null;
}

export type SelectionResult = { ok: true; promptIds: string[] } | { ok: false; status: 400 | 404; message: string };

/** Reviewed with a rating of 1 or 2, or marked inappropriate. */
export const isRejected = (review: SelectablePrompt['review']): boolean =>
  review !== null && ((review.relevance !== null && review.relevance < MIN_USABLE_RELEVANCE) || review.inappropriate);

const hasImage = (prompt: SelectablePrompt): boolean => prompt.status === 'assessed' || prompt.status === 'generated';

const PREDICATES: Record<Exclude<Selection, { promptIds: string[] }>, (prompt: SelectablePrompt) => boolean> = {
  // The project's one verdict, on images only: a prompt without an image is `failed`.
  'not-usable': (prompt) => hasImage(prompt) && !usableVerdict({ issues: prompt.issues, review: prompt.review }).usable,
  rejected: (prompt) => hasImage(prompt) && isRejected(prompt.review),
  flagged: (prompt) => hasImage(prompt) && prompt.issues.length > 0,
  // Blocked by safety filters, lost, cancelled or of unknown outcome: every prompt that ended without an image.
  failed: (prompt) => prompt.status === 'failed',
};

/**
 * The selected prompt ids in plan order. Naming a prompt the run does not have answers 404, as a
 * prompt of another participant's run would; a selection that matches nothing answers 400.
 */
export function selectSlots(runId: string, prompts: readonly SelectablePrompt[], select: Selection): SelectionResult {
  let chosen: string[];
  if (typeof select === 'string') {
    chosen = prompts.filter(PREDICATES[select]).map((prompt) => prompt.promptId);
  } else {
    const known = new Set(prompts.map((prompt) => prompt.promptId));
    const missing = select.promptIds.filter((id) => !known.has(id));
    if (missing.length > 0) return { ok: false, status: 404, message: `run ${runId} has no prompt ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}` };
    const wanted = new Set(select.promptIds);
    chosen = prompts.filter((prompt) => wanted.has(prompt.promptId)).map((prompt) => prompt.promptId);
  }
  if (chosen.length === 0) return { ok: false, status: 400, message: `select: "${describeSelection(select)}" matches no prompt of run ${runId}; nothing to regenerate` };
  return { ok: true, promptIds: chosen };
}
