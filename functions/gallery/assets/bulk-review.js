// Reviewing many images at once, and undoing review actions. A change to the selected cards is
// merged into each card's current review and sent a page (100 cards) per request to
// POST /v1/runs/{runId}/reviews. Every action, one card or many, is remembered with the reviews it
// replaced, so `u` restores them through the same route: the undo is saved like any review.
import { api } from './api.js';
import { h } from './dom.js';
import { reviewOf } from './review.js';

/** The route takes at most one page of cards per request. */
export const PAGE = 100;
const KEPT_ACTIONS = 50;

/** A review as the route takes it: everything but who and when, which the server sets. */
export function reviewInput(review) {
  if (!review) return null;
  const { reviewedBy: _by, reviewedAt: _at, ...input } = review;
  return input;
}

export class BulkReviews {
  #history = []; // newest last: { runId, items: [{ promptId, review }] }, the reviews an action replaced

  /** saver: review.js ReviewSaver; lookup(runId, promptId): the prompt as loaded now; who(): the reviewer's name; onDone(message). */
  constructor({ saver, lookup, who, onDone }) {
    Object.assign(this, { saver, lookup, who, onDone });
  }

  /** A single card's change, from the saver: what it replaced. */
  remember(prompt, before) {
    this.#push({ runId: prompt.runId, items: [{ promptId: prompt.promptId, review: before }] });
  }

  forget() {
    this.#history = [];
  }

  /** Applies `change` (an object, or a function of the prompt) to every prompt, merged into each one's current review. */
  async apply(prompts, change) {
    const { changed, failed, replaced } = await this.#write(prompts.map((prompt) => ({ prompt, review: { ...reviewInput(reviewOf(prompt)), ...(typeof change === 'function' ? change(prompt) : change) } })));
    if (replaced.length) this.#push({ runId: prompts[0].runId, items: replaced });
    this.onDone(failed ? `${failed} of ${prompts.length} images not saved (r retries one); ${changed} changed` : `${prompts.length} images reviewed, ${changed} changed · u undoes`);
  }

  /** Restores what the last action replaced, "not reviewed" included. */
  async undo() {
    const last = this.#history.pop();
    if (!last) return this.onDone('Nothing to undo');
    const items = last.items.map(({ promptId, review }) => ({ prompt: this.lookup(last.runId, promptId), review: reviewInput(review) })).filter((item) => item.prompt);
    const { failed } = await this.#write(items);
    if (failed) {
      this.#history.push(last); // pressing u again retries it: restoring is the same write twice
      return this.onDone(`Undo not saved for ${failed} of ${items.length} images; press u to try again`);
    }
    this.onDone(`Undone: ${items.length} ${items.length === 1 ? 'image' : 'images'} restored`);
  }

  #push(action) {
    this.#history.push(action);
    if (this.#history.length > KEPT_ACTIONS) this.#history.shift();
  }

  /** Shows the new reviews at once, then saves them a page at a time; answers what the server replaced. */
  async #write(items) {
    const reviewedAt = new Date().toISOString();
    for (const item of items) item.prompt.review = item.review && { ...item.review, reviewedBy: this.who(), reviewedAt };
    await this.saver.hold(items.map((item) => item.prompt));
    let changed = 0;
    let failed = 0;
    const replaced = [];
    for (let start = 0; start < items.length; start += PAGE) {
      const page = items.slice(start, start + PAGE);
      try {
        const answer = await api.saveReviews(page[0].prompt.runId, page.map(({ prompt, review }) => ({ promptId: prompt.promptId, review })));
        changed += answer.changed;
        replaced.push(...answer.previous);
        for (const { prompt } of page) this.saver.release(prompt, { status: 'saved' });
      } catch (error) {
        failed += page.length;
        for (const { prompt } of page) this.saver.release(prompt, { status: 'error', message: error.message });
      }
    }
    return { changed, failed, replaced };
  }
}

/** The side pane while several cards are selected: a rating, inappropriate or a note for all of them. */
export class BulkPanel {
  #prompts = [];

  /** apply(change) reviews the selected cards; onLeave() gives the keyboard back to the grid. */
  constructor({ apply, onLeave }) {
    this.apply = apply;
    this.title = h('p', { className: 'side-title' });
    this.stars = [1, 2, 3, 4, 5].map((value) => h('button', { type: 'button', className: 'star', text: value, title: `Relevance ${value} for all (key ${value})`, on: { click: () => apply({ relevance: value }) } }));
    this.flag = h('input', { type: 'checkbox', on: { change: () => apply({ inappropriate: this.flag.checked }) } });
    this.note = h('textarea', { className: 'note', rows: 2, maxlength: 2000, 'aria-label': 'Note for every selected image', on: { keydown: (event) => {
      if (event.key !== 'Enter' && event.key !== 'Escape') return;
      if (event.key === 'Enter' && event.shiftKey) return;
      event.preventDefault();
      event.stopPropagation();
      if (event.key === 'Enter' && this.note.value !== this.#commonNote()) apply({ note: this.note.value });
      this.note.blur();
      onLeave();
    } } });
    this.element = h('div', { className: 'review bulk', hidden: true },
      this.title,
      h('div', { className: 'stars', role: 'group', 'aria-label': 'Relevance 1 to 5 for all' }, h('span', { className: 'label', text: 'Relevance' }), this.stars),
      h('label', { className: 'flag' }, this.flag, ' Inappropriate ', h('kbd', { text: 'x' })),
      this.note,
      h('p', { className: 'muted', text: 'Keys and controls act on every selected image. Esc clears the selection, u undoes.' }));
  }

  show(prompts) {
    this.#prompts = prompts;
    this.element.hidden = prompts.length < 2;
    if (document.activeElement !== this.note) this.note.value = this.#commonNote();
    this.update();
  }

  /** Pressed and checked only where every selected card agrees. */
  update() {
    const reviews = this.#prompts.map(reviewOf);
    if (reviews.length < 2) return;
    this.title.textContent = `${reviews.length} images selected`;
    this.note.placeholder = `Note for all ${reviews.length} — Enter saves`;
    for (const [i, star] of this.stars.entries()) star.setAttribute('aria-pressed', String(reviews.every((r) => r.relevance === i + 1)));
    this.flag.checked = reviews.every((r) => r.inappropriate);
  }

  focusNote() {
    this.note.focus();
  }

  #commonNote() {
    const notes = new Set(this.#prompts.map((p) => reviewOf(p).note ?? ''));
    return notes.size === 1 ? [...notes][0] : '';
  }
}
