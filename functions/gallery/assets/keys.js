// The keyboard shortcuts (press ? in the gallery). No keystroke meant for navigation or rating
// ever lands in a text field, and none rates an image while the New run form hides the grid.
import { reviewOf, reviewPaneAction } from './review.js';

/** Builds the keydown handler from what it acts on. */
export function keyHandler(ui) {
  const { saver } = ui;
  const keys = {
    ArrowRight: () => ui.move(1), j: () => ui.move(1),
    ArrowLeft: () => ui.move(-1), k: () => ui.move(-1),
    ArrowDown: () => !ui.isDetailOpen() && ui.move(ui.gridColumns()),
    ArrowUp: () => !ui.isDetailOpen() && ui.move(-ui.gridColumns()),
    x: (p) => p && saver.update(p, { inappropriate: !reviewOf(p).inappropriate }),
    n: () => ui.focusNote(),
    r: (p) => p && saver.state(p).status === 'error' && saver.retry(p),
    0: (p) => p && saver.update(p, { relevance: null }),
    Enter: () => ui.openDetail(), ' ': () => ui.openDetail(),
    Escape: () => ui.closeOverlays(),
    '?': () => ui.toggleHelp(),
  };
  for (const n of [1, 2, 3, 4, 5]) keys[n] = (p) => p && saver.update(p, { relevance: n });

  return function onKey(event) {
    if (!ui.isSignedIn() || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (target.closest('textarea, select, input:not([type="checkbox"])')) return; // typing; the note handles its own Enter and Esc
    if (ui.isFormOpen() && event.key !== '?') return; // the form is on show: no key rates an image out of sight
    if (ui.isHelpOpen()) {
      if (event.key === 'Escape' || event.key === '?') ui.toggleHelp(false);
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && target.closest('button, input')) return; // let buttons click
    const action = keys[event.key] ?? reviewPaneAction(event.key, saver);
    if (!action) return;
    event.preventDefault();
    action(ui.selected());
  };
}
