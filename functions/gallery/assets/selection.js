// The grid's selection: the card the keyboard is on (the cursor) and, with Shift+arrows, Ctrl+A or
// Shift/Ctrl+click, the cards marked with it. A rating key, x or a note acts on the marked cards,
// or on the cursor's card alone when none are marked. Marks are prompt ids, so they survive a
// reload of the prompts; indexes are into the prompts the filters show.
export class Selection {
  cursor = -1;
  #anchor = -1; // where a Shift range starts
  #marked = new Set(); // prompt ids; empty means "the cursor's card alone"

  /** Moves the cursor and drops the marks, as a plain arrow key or click does. */
  moveTo(index) {
    this.cursor = this.#anchor = index;
    this.#marked.clear();
  }

  /** Marks every card from the anchor to `index` (Shift+arrow, Shift+click). */
  extendTo(index, visible) {
    if (this.#anchor < 0 || this.#anchor >= visible.length) this.#anchor = Math.max(this.cursor, 0);
    this.cursor = index;
    const [from, to] = [Math.min(this.#anchor, index), Math.max(this.#anchor, index)];
    this.#marked = new Set(visible.slice(from, to + 1).map((p) => p.promptId));
  }

  /** Adds or removes one card (Ctrl+click); the cursor's card is marked first, so it stays in. */
  toggle(index, visible) {
    if (this.#marked.size === 0 && visible[this.cursor]) this.#marked.add(visible[this.cursor].promptId);
    const id = visible[index].promptId;
    if (this.#marked.has(id) && this.#marked.size > 1) this.#marked.delete(id);
    else this.#marked.add(id);
    this.cursor = this.#anchor = index;
  }

  /** Every card the filters show (Ctrl+A). */
  all(visible) {
    this.#marked = new Set(visible.map((p) => p.promptId));
    this.#anchor = 0;
    if (this.cursor < 0 && visible.length) this.cursor = 0;
  }

  clear() {
    this.#marked.clear();
    this.#anchor = this.cursor;
  }

  /** After the filters change: a card out of view is never acted on. */
  keepOnly(visible) {
    const shown = new Set(visible.map((p) => p.promptId));
    for (const id of [...this.#marked]) if (!shown.has(id)) this.#marked.delete(id);
    this.#anchor = -1; // its index may now be another card's: a Shift range starts again from the cursor
  }

  get count() {
    return this.#marked.size;
  }

  /** What a review key acts on, in grid order. */
  prompts(visible) {
    if (this.#marked.size) return visible.filter((p) => this.#marked.has(p.promptId));
    return visible[this.cursor] ? [visible[this.cursor]] : [];
  }
}

/** Marks the selected cards (aria-selected) and the cursor's card in the grid; answers the selected prompts when there are several. */
export function markCards(grid, selection, visible) {
  const chosen = selection.prompts(visible);
  const marked = new Set(chosen.map((p) => p.promptId));
  const cursorId = visible[selection.cursor]?.promptId;
  for (const card of grid.children) {
    if (!card.dataset.promptId) continue; // the "no image matches" placeholder
    card.setAttribute('aria-selected', String(marked.has(card.dataset.promptId)));
    card.classList.toggle('cursor', card.dataset.promptId === cursorId);
  }
  const many = selection.count > 1 ? chosen : [];
  grid.classList.toggle('multi', many.length > 0);
  return many;
}
