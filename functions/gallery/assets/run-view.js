// The open run: its prompts, the filtered grid, the selected image with its review panel, and the
// detail view and help overlays above the grid. Thumbnails are fetched with the token and shown
// as object URLs, revoked when the run closes.
import { api, Thumbnails } from './api.js';
import { BulkPanel, BulkReviews } from './bulk-review.js';
import { Cards } from './cards.js';
import { DetailView } from './detail.js';
import { $, fill, h } from './dom.js';
import { clearFilters, matchesFilters, renderFilterOptions } from './filters.js';
import { clampIndex, reviewSelected } from './grid-actions.js';
import { renderLegend } from './legend.js';
import { renderRevisions } from './regenerate.js';
import { ReviewPanel, ReviewSaver, reviewOf } from './review.js';
import { countsText } from './runs.js';
import { markCards, Selection } from './selection.js';
import { SpotCheck } from './spot-check.js';
import { usableVerdict } from './usable.js';

const focusGrid = () => $('grid').focus({ preventScroll: true });

export class RunView {
  /**
   * `runList` knows each run's status (counts, failures) and which run is marked open;
   * `onRegenerate(select, count)` opens the form that regenerates a selection of this run;
   * `who()` is the signed-in reviewer's name.
   */
  constructor(runList, { onRegenerate, who }) {
    this.runList = runList;
    this.onRegenerate = onRegenerate;
    this.runId = null; // the open run
    this.run = null;
    this.prompts = [];
    this.visible = []; // the prompts that pass the filters, in grid order; only re-filtered when a filter changes
    this.selection = new Selection(); // the cursor (an index into visible) and the marked cards
    this.detailOpen = false;
    this.thresholds = {}; // the open run's quality thresholds, for the explanations
    this.lineage = null; // the open run's lineage (GET …/revisions): its first run and every revision
    this.thumbs = new Thumbnails();
    this.spotCheck = new SpotCheck({ onChange: () => this.applyFilters() });
    this.saver = new ReviewSaver({
      save: async (prompt, review) => (await api.saveReview(prompt.runId, prompt.promptId, review)).review,
      onChange: (prompt) => {
        if (prompt.runId !== this.runId) return; // a late answer for a run that was closed
        this.cardOf(prompt)?.querySelector('.card-review').replaceWith(this.cards.reviewLine(prompt));
        this.#refreshSoon();
        if (this.spotCheck.has(prompt) && this.saver.state(prompt).status === 'saved') this.spotCheck.refresh(this.runId);
      },
      onReviewed: (prompt, before) => this.bulk.remember(prompt, before),
    });
    this.bulk = new BulkReviews({
      saver: this.saver,
      lookup: (runId, promptId) => (runId === this.runId ? this.prompts.find((p) => p.promptId === promptId) : undefined),
      who,
      onDone: (message) => { $('review-status').textContent = message; },
    });
    this.bulkPanel = new BulkPanel({ apply: (change) => reviewSelected(this, change), onLeave: focusGrid });
    // Leaving a note (Enter or Esc) gives the keyboard back to the grid, or to the detail view.
    this.sidePanel = new ReviewPanel(this.saver, { onLeave: focusGrid });
    this.detailPanel = new ReviewPanel(this.saver, { onLeave: () => $('detail').firstElementChild.focus() });
    this.cards = new Cards({ thumbs: this.thumbs, saver: this.saver, onSelect: (index, event) => this.select(index, { extend: event.shiftKey, toggle: event.ctrlKey || event.metaKey }), onOpen: () => this.openDetail(), thresholds: () => this.thresholds });
    this.detail = new DetailView({ panel: this.detailPanel, cards: this.cards, onOpenPrompt: (promptId) => this.openPrompt(promptId) });
  }

  async open(runId) {
    if (runId !== this.runId) this.close();
    this.runId = runId;
    history.replaceState(null, '', `#run=${encodeURIComponent(runId)}`);
    this.runList.markOpen(runId);
    $('newrun-view').hidden = $('regen-view').hidden = true;
    $('run-empty').hidden = true;
    $('run-view').hidden = false;
    $('run-title').textContent = 'Loading…';
    focusGrid(); // so the shortcuts act on the images, not on the run's button
    await Promise.all([this.loadPrompts(), this.runList.statuses.has(runId) || this.runList.refresh(runId)]);
  }

  close() {
    this.thumbs.clear();
    this.spotCheck.reset();
    this.bulk.forget(); // an undo acts on the open run only
    $('review-status').textContent = '';
    Object.assign(this, { runId: null, run: null, prompts: [], visible: [], selection: new Selection(), lineage: null });
    fill($('grid'));
    $('run-view').hidden = true;
    $('run-empty').hidden = false;
    this.select(-1);
  }

  /** (Re)loads the open run's prompts, keeping the selection and any review not yet saved. */
  async loadPrompts() {
    const runId = this.runId;
    let answer;
    try {
      [answer, this.lineage] = await Promise.all([api.prompts(runId), api.lineage(runId).catch(() => null)]);
    } catch (error) {
      if (runId === this.runId) $('run-title').textContent = `Could not open run ${runId}: ${error.message}`;
      return;
    }
    if (runId !== this.runId) return;
    const local = new Map(this.prompts.map((p) => [p.promptId, p]));
    for (const prompt of answer.prompts) {
      prompt.runId = runId;
      prompt.issues ??= [];
      const unsaved = this.saver.state(prompt).status;
      if (unsaved === 'saving' || unsaved === 'error') prompt.review = local.get(prompt.promptId).review;
    }
    this.run = answer.run;
    this.prompts = answer.prompts;
    this.thresholds = answer.thresholds ?? {};
    this.renderHead();
    renderFilterOptions(this.prompts, this.run?.categories ?? [...new Set(this.prompts.map((p) => p.category))]);
    this.applyFilters();
  }

  renderHead() {
    const status = this.runList.statuses.get(this.runId);
    $('run-title').textContent = this.run?.scenario?.name ?? status?.scenario ?? this.runId;
    const parts = [this.runId];
    if (status) parts.push(countsText(status), modelText(status), `seed ${status.seed}`);
    const assessed = this.prompts.filter((p) => p.status === 'assessed');
    const usable = assessed.filter((p) => usableVerdict({ issues: p.issues, review: reviewOf(p) }).usable).length;
    if (assessed.length) parts.push(`${usable} of ${assessed.length} usable`);
    $('run-meta').textContent = parts.join(' · ');
    const failures = status?.failures ?? [];
    fill($('run-failures'), failures.map((f) => h('li', {}, h('span', { className: 'pid', text: f.promptId }), ` ${f.category}: `, h('span', { className: 'error', text: f.reason }))));
    $('run-failures').hidden = failures.length === 0;
    renderLegend($('legend'), this.thresholds);
    this.renderRevisions();
  }

  /** The lineage and the Regenerate buttons, "Regenerate 3 selected" included: the grid's selection is also what a revision can take. */
  renderRevisions() {
    const status = this.runList.statuses.get(this.runId);
    const selected = this.selection.count > 1 ? this.selection.prompts(this.visible).map((p) => p.promptId) : [];
    renderRevisions($('run-revisions'), {
      runId: this.runId, lineage: this.lineage, prompts: this.prompts, selected, completed: status?.state === 'completed',
      onRegenerate: (select, count) => this.onRegenerate(select, count), onOpen: (runId) => this.open(runId),
    });
  }

  applyFilters() {
    const selectedId = this.selectedPrompt()?.promptId;
    this.visible = this.spotCheck.order(this.prompts.filter(matchesFilters));
    this.selection.keepOnly(this.visible);
    fill($('grid'), this.visible.map((prompt, index) => this.cards.card(prompt, index)));
    this.visible.forEach((prompt, index) => $('grid').children[index]?.classList.toggle('spot', this.spotCheck.has(prompt)));
    const shown = this.visible.length === this.prompts.length ? `${this.prompts.length} images` : `${this.visible.length} of ${this.prompts.length} images`;
    $('filter-count').textContent = shown;
    if (this.visible.length === 0) $('grid').append(h('li', { className: 'placeholder', text: 'No image matches these filters.' }));
    const again = this.visible.findIndex((p) => p.promptId === selectedId);
    this.select(again >= 0 ? again : this.visible.length ? 0 : -1, { scroll: again >= 0, keep: true });
  }

  cardOf(prompt) {
    return [...$('grid').children].find((li) => li.dataset.promptId === prompt.promptId);
  }

  /** The card the keyboard is on. */
  selectedPrompt() {
    return this.visible[this.selection.cursor] ?? null;
  }

  /** Moves the cursor to `index`: alone (a plain key or click), extending the marks (Shift), toggling one (Ctrl), or keeping them (`keep`). */
  select(index, { scroll = true, extend = false, toggle = false, keep = false } = {}) {
    if (extend && index >= 0) this.selection.extendTo(index, this.visible);
    else if (toggle && index >= 0) this.selection.toggle(index, this.visible);
    else if (keep) this.selection.cursor = index;
    else this.selection.moveTo(index);
    const prompt = this.selectedPrompt();
    const many = markCards($('grid'), this.selection, this.visible);
    const element = prompt && this.cardOf(prompt);
    if (element && scroll) element.scrollIntoView({ block: 'nearest' });
    this.sidePanel.show(many.length ? null : prompt);
    this.bulkPanel.show(many);
    $('selection-count').textContent = many.length ? `${many.length} selected · Esc clears` : '';
    this.renderRevisions();
    fill($('side-summary'), many.length ? null : prompt ? [
      h('p', { className: 'side-title', text: `${prompt.promptId} · ${prompt.category}` }),
      h('p', { className: 'prompt-text clamp', text: prompt.prompt }),
    ] : h('p', { className: 'muted', text: 'Select an image.' }));
    if (this.detailOpen && prompt) this.renderDetail(prompt);
    else if (this.detailOpen) this.closeOverlays();
  }

  move(step) {
    if (this.visible.length) this.select(clampIndex(this.selection.cursor + step, this.visible));
  }

  /** The run head (its usable count follows the ratings) and the panels, once for a whole page of saves. */
  #refreshSoon() {
    if (this.refreshing) return;
    this.refreshing = true;
    queueMicrotask(() => {
      this.refreshing = false;
      this.renderHead();
      for (const panel of [this.sidePanel, this.detailPanel, this.bulkPanel]) panel.update();
    });
  }


  /** Selects a prompt by id (clearing the filters if they hide it), e.g. a duplicate's original. */
  openPrompt(promptId) {
    if (!this.visible.some((p) => p.promptId === promptId)) {
      clearFilters();
      this.applyFilters();
    }
    this.select(this.visible.findIndex((p) => p.promptId === promptId));
  }

  openDetail() {
    const prompt = this.selectedPrompt();
    if (!prompt) return;
    this.detailOpen = true;
    $('detail').hidden = false;
    $('app-view').inert = true;
    this.renderDetail(prompt);
    $('detail').firstElementChild.focus(); // the dialog itself, so Enter and Space don't press a button
  }

  renderDetail(prompt) {
    this.detail.show(prompt, {
      position: `${this.selection.cursor + 1} of ${this.visible.length}`,
      original: prompt.duplicateOf && this.prompts.find((p) => p.promptId === prompt.duplicateOf),
      isCurrent: () => this.detailOpen && this.selectedPrompt()?.promptId === prompt.promptId,
      thresholds: this.thresholds,
    });
  }

  closeOverlays() {
    const wasOpen = this.detailOpen;
    this.detailOpen = false;
    $('detail').hidden = $('help').hidden = true;
    $('app-view').inert = false;
    if (wasOpen) focusGrid();
    this.detail.clear();
  }

  toggleHelp(show = $('help').hidden) {
    $('help').hidden = !show;
    $('app-view').inert = show || this.detailOpen;
    if (show) $('help-close').focus();
  }
}

/** "embedded-procedural-v1", not "embedded embedded-procedural-v1": the provider only when the model's name does not already say it. */
export function modelText({ provider, model }) {
  return model.startsWith(provider) ? model : `${provider} ${model}`;
}
