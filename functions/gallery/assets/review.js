// Human review: the save queue (one request in flight per image, the latest value wins,
// nothing lost on a failed save) and the review controls shown beside and in the detail view.
import { h } from './dom.js';
import { CheckControls } from './review-checks.js';

export const EMPTY_REVIEW = Object.freeze({ relevance: null, inappropriate: false, note: '', culturalSensitivity: null, scenarioAligned: null, labels: {} });
export const reviewOf = (prompt) => prompt.review ?? EMPTY_REVIEW;

export class ReviewSaver {
  #save;
  #onChange;
  #onReviewed;
  #states = new Map(); // "runId/promptId" → { status: 'saving' | 'saved' | 'error', message?, again?: prompt }
  #inFlight = new Map(); // "runId/promptId" → the promise of its own save, while one is out

  /**
   * save(prompt, review) → Promise<server review>; onChange(prompt) after every state change;
   * onReviewed(prompt, before) after each change, with the review it replaced (for undo).
   * Prompts carry their runId (the gallery adds it), so a save never goes to another run.
   */
  constructor({ save, onChange, onReviewed = () => {} }) {
    this.#save = save;
    this.#onChange = onChange;
    this.#onReviewed = onReviewed;
  }

  state(prompt) {
    return this.#states.get(key(prompt)) ?? { status: 'idle' };
  }

  /** True while a change is not safely on the server (saving or failed). */
  get unsaved() {
    return [...this.#states.values()].some((s) => s.status !== 'saved');
  }

  /** Applies the change locally at once, then saves it. */
  update(prompt, change) {
    const before = prompt.review ?? null;
    prompt.review = { ...reviewOf(prompt), ...change };
    this.#onReviewed(prompt, before);
    this.#send(prompt);
  }

  /**
   * Before a bulk save (bulk-review.js): waits for these prompts' own saves in flight, then marks
   * them saving, so a change made meanwhile waits for release() instead of racing the bulk request.
   */
  async hold(prompts) {
    while (prompts.some((p) => this.#inFlight.has(key(p)))) await Promise.all(prompts.map((p) => this.#inFlight.get(key(p))));
    for (const prompt of prompts) this.#set(prompt, { status: 'saving' });
  }

  /** Ends a bulk save for one prompt (saved, or error with a message) and sends any change made meanwhile. */
  release(prompt, state) {
    const again = this.#states.get(key(prompt))?.again;
    this.#set(prompt, state);
    if (again) this.#send(again);
  }

  retry(prompt) {
    this.#send(prompt);
  }

  async #send(prompt) {
    const current = this.#states.get(key(prompt));
    if (current?.status === 'saving') {
      current.again = prompt; // its newest value goes out when the request in flight returns
      return;
    }
    const done = this.#saveOnce(prompt);
    this.#inFlight.set(key(prompt), done);
    await done;
    if (this.#inFlight.get(key(prompt)) === done) this.#inFlight.delete(key(prompt));
  }

  async #saveOnce(prompt) {
    this.#set(prompt, { status: 'saving' });
    const { relevance, inappropriate, note, culturalSensitivity = null, scenarioAligned = null, labels = {} } = reviewOf(prompt);
    try {
      const saved = await this.#save(prompt, { relevance, inappropriate, note, culturalSensitivity, scenarioAligned, labels });
      const again = this.#states.get(key(prompt)).again;
      // Keep the local value (it may be newer); take the server's who/when.
      if (saved) prompt.review = { ...saved, ...reviewOf(prompt), reviewedAt: saved.reviewedAt, reviewedBy: saved.reviewedBy };
      this.#set(prompt, { status: 'saved' });
      if (again) this.#send(again);
    } catch (error) {
      // The value stays on the prompt, so the rating is kept and a retry sends it again.
      this.#set(prompt, { status: 'error', message: error.message });
    }
  }

  #set(prompt, state) {
    this.#states.set(key(prompt), state);
    this.#onChange(prompt);
  }
}

const key = (prompt) => `${prompt.runId}/${prompt.promptId}`;

const SAVE_LABELS = { idle: '', saving: 'saving…', saved: 'saved', error: 'not saved' };

/** A short text for a save state, for cards and panels. */
export const saveLabel = (state) => SAVE_LABELS[state.status];

/** The review controls for one prompt at a time; update() refreshes them in place. */
export class ReviewPanel {
  #saver;
  #prompt = null;
  #stars;
  #flag;
  #note;
  #status;
  #checks;
  #onLeave;

  /** onLeave() when Enter or Esc leaves the note: the gallery gives the keyboard back to the grid. */
  constructor(saver, { onLeave = () => {} } = {}) {
    this.#saver = saver;
    this.#onLeave = onLeave;
    this.#stars = [1, 2, 3, 4, 5].map((value) =>
      h('button', { type: 'button', className: 'star', text: value, title: `Relevance ${value} (key ${value})`, on: { click: () => this.#change({ relevance: value }) } }));
    this.#flag = h('input', { type: 'checkbox', on: { change: () => this.#change({ inappropriate: this.#flag.checked }) } });
    this.#note = h('textarea', { className: 'note', rows: 2, maxlength: 2000, placeholder: 'Note — Enter saves, Shift+Enter new line', 'aria-label': 'Note', on: {
      keydown: (event) => this.#noteKey(event),
      blur: () => this.#saveNote(),
    } });
    this.#status = h('div', { className: 'save-state', 'aria-live': 'polite' });
    this.#checks = new CheckControls((change) => this.#change(change));
    this.element = h('div', { className: 'review' },
      h('div', { className: 'stars', role: 'group', 'aria-label': 'Relevance 1 to 5' }, h('span', { className: 'label', text: 'Relevance' }), this.#stars),
      h('label', { className: 'flag' }, this.#flag, ' Inappropriate ', h('kbd', { text: 'x' })),
      this.#checks.element,
      this.#note,
      this.#status);
  }

  show(prompt) {
    if ((prompt && key(prompt)) !== (this.#prompt && key(this.#prompt))) {
      if (document.activeElement === this.#note) this.#saveNote(); // a half-typed note is not lost
      this.#note.value = prompt ? reviewOf(prompt).note ?? '' : '';
    }
    this.#prompt = prompt;
    this.element.hidden = !prompt;
    this.update();
  }

  /** Re-reads the prompt's review and save state (the note only when it is not being edited). */
  update() {
    const prompt = this.#prompt;
    if (!prompt) return;
    const review = reviewOf(prompt);
    const noImage = prompt.status === 'failed';
    for (const [i, star] of this.#stars.entries()) star.setAttribute('aria-pressed', String(review.relevance === i + 1));
    this.#flag.checked = review.inappropriate;
    this.#checks.update(review);
    if (document.activeElement !== this.#note) this.#note.value = review.note ?? '';
    const state = this.#saver.state(prompt);
    this.#status.className = `save-state ${state.status}`;
    this.#status.replaceChildren(saveLabel(state) || (review.reviewedBy ? `reviewed by ${review.reviewedBy}` : noImage ? 'no image to review' : 'not reviewed yet'));
    if (state.status === 'error') {
      this.#status.append(`: ${state.message} `, h('button', { type: 'button', className: 'retry', text: 'Retry', on: { click: () => this.#saver.retry(prompt) } }));
    }
  }

  focusNote() {
    if (this.#prompt) this.#note.focus();
  }

  #change(change) {
    if (this.#prompt) this.#saver.update(this.#prompt, change);
  }

  #noteKey(event) {
    // Enter saves; Enter and Esc both hand the keyboard back to the grid, so the next → or 5
    // moves or rates instead of landing in the note.
    if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.#saveNote();
      this.#note.blur();
      this.#onLeave();
    }
  }

  #saveNote() {
    const prompt = this.#prompt;
    if (prompt && this.#note.value !== (reviewOf(prompt).note ?? '')) this.#saver.update(prompt, { note: this.#note.value });
  }
}
