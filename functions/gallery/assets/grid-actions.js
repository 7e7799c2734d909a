// What the keys and the bulk panel do to the open run (a run-view.js RunView) beyond moving the
// cursor: extend, select all or clear the selection, and review every selected card at once.
import { $ } from './dom.js';
import { reviewOf } from './review.js';

export const clampIndex = (index, visible) => Math.min(Math.max(index, 0), visible.length - 1);

/** What a review key acts on: the selected cards in the grid, the one image in the detail view. */
export function reviewTargets(view) {
  if (view.detailOpen) return view.selectedPrompt() ? [view.selectedPrompt()] : [];
  return view.selection.prompts(view.visible);
}

/** Shift+arrow: moves the cursor and marks every card from where the selection began. */
export function extendSelection(view, step) {
  if (view.visible.length) view.select(clampIndex(view.selection.cursor + step, view.visible), { extend: true });
}

/** Ctrl+A: every card the filters show. */
export function selectAll(view) {
  view.selection.all(view.visible);
  view.select(view.selection.cursor, { keep: true, scroll: false });
}

/** Esc: closes the detail view or help, or else clears the selection. */
export function escape(view) {
  if (view.detailOpen || !$('help').hidden) return view.closeOverlays();
  view.selection.clear();
  view.select(view.selection.cursor, { keep: true, scroll: false });
}

/** A rating, x or a note for the selected cards: `change` is an object, or a function of the prompts it applies to. */
export function reviewSelected(view, change) {
  const prompts = reviewTargets(view);
  if (prompts.length === 0) return;
  const resolved = typeof change === 'function' ? change(prompts) : change;
  if (prompts.length === 1) view.saver.update(prompts[0], resolved);
  else view.bulk.apply(prompts, resolved);
}

/**
 * A check or label key (review-checks.js): `change(review)` decided from the cursor's image, so every
 * target gets the same value; a label key sets only its own label, each image keeping its others.
 */
export function reviewEach(view, change) {
  const prompts = reviewTargets(view);
  if (prompts.length === 0) return;
  const first = reviewOf(prompts[0]);
  const { labels, ...decided } = change(first);
  const setLabels = labels ? Object.fromEntries(Object.entries(labels).filter(([key, value]) => (first.labels?.[key] ?? null) !== value)) : null;
  const forImage = (prompt) => (setLabels ? { ...decided, labels: { ...reviewOf(prompt).labels, ...setLabels } } : decided);
  if (prompts.length === 1) view.saver.update(prompts[0], forImage(prompts[0]));
  else view.bulk.apply(prompts, forImage);
}

/** n: the note of the detail view, of every selected card, or of the one card. */
export function focusNote(view) {
  if (view.detailOpen) view.detailPanel.focusNote();
  else if (view.selection.count > 1) view.bulkPanel.focusNote();
  else view.sidePanel.focusNote();
}
