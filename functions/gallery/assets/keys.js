// The keyboard shortcuts (press ? in the gallery). No keystroke meant for navigation or rating
// ever lands in a text field, and none rates an image while the New run form hides the grid.
// Rating keys, x and 0 act on every selected card (Shift+arrows, Ctrl+A), or on the current one.
import { reviewOf } from './review.js';
import { paneChangeFor } from './review-checks.js';

/** Builds the keydown handler from what it acts on. */
export function keyHandler(ui) {
  const { saver } = ui;
  const keys = {
    ArrowRight: () => ui.move(1), j: () => ui.move(1),
    ArrowLeft: () => ui.move(-1), k: () => ui.move(-1),
    ArrowDown: () => !ui.isDetailOpen() && ui.move(ui.gridColumns()),
    ArrowUp: () => !ui.isDetailOpen() && ui.move(-ui.gridColumns()),
    x: () => ui.review((prompts) => ({ inappropriate: !prompts.every((p) => reviewOf(p).inappropriate) })),
    n: () => ui.focusNote(),
    r: (p) => p && saver.state(p).status === 'error' && saver.retry(p),
    u: () => ui.undo(),
    0: () => ui.review({ relevance: null }),
    Enter: () => ui.openDetail(), ' ': () => ui.openDetail(),
    Escape: () => ui.escape(),
    '?': () => ui.toggleHelp(),
    '+': () => ui.zoom(1), '=': () => ui.zoom(1), '-': () => ui.zoom(-1),
  };
  for (const n of [1, 2, 3, 4, 5]) keys[n] = () => ui.review({ relevance: n });
  // The review pane's checks and the cohort's labels act on the selection too.
  const paneAction = (key) => { const change = paneChangeFor(key); return change && (() => ui.reviewEach(change)); };
  // Shift+arrow extends the selection in the grid (not in the detail view, which shows one image).
  const extend = { ArrowRight: () => 1, ArrowLeft: () => -1, ArrowDown: () => ui.gridColumns(), ArrowUp: () => -ui.gridColumns() };

  return function onKey(event) {
    if (!ui.isSignedIn() || event.altKey) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (target.closest('textarea, select, input:not([type="checkbox"])')) return; // typing; the note handles its own Enter and Esc
    if (ui.isFormOpen() && event.key !== '?') return; // the form is on show: no key rates an image out of sight
    if (ui.isHelpOpen()) {
      if (event.key === 'Escape' || event.key === '?') ui.toggleHelp(false);
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      // Ctrl+A selects every card the filters show, instead of the page's text.
      if (event.key.toLowerCase() === 'a' && !ui.isDetailOpen()) {
        event.preventDefault();
        ui.selectAll();
      }
      return;
    }
    if (event.shiftKey && extend[event.key]) {
      event.preventDefault();
      if (!ui.isDetailOpen()) ui.extend(extend[event.key]());
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && target.closest('button, input')) return; // let buttons click
    const action = keys[event.key] ?? paneAction(event.key);
    if (!action) return;
    event.preventDefault();
    action(ui.selected());
  };
}
