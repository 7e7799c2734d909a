// Revisions in the gallery: the open run's lineage, one button per selection ("Regenerate 3
// rejected"), and a form with the amendment fields, the server's preview of the slots, the new
// prompts and the cost, then the revision itself (POST /v1/runs/{runId}:regenerate).
import { api } from './api.js';
import { fill, h } from './dom.js';
import { reviewOf } from './review.js';
import { usableVerdict } from './usable.js';

const hasImage = (p) => p.status === 'assessed' || p.status === 'generated';
const rejected = (review) => Boolean(review) && ((review.relevance !== null && review.relevance < 3) || review.inappropriate);

/** The selections, as functions/core/revisions/selection.ts makes them, to count what each button would take. */
export const SELECTIONS = [
  ['not-usable', 'not usable', (p) => hasImage(p) && !usableVerdict({ issues: p.issues, review: reviewOf(p) }).usable],
  ['rejected', 'rejected', (p) => hasImage(p) && rejected(reviewOf(p))],
  ['flagged', 'flagged', (p) => hasImage(p) && p.issues.length > 0],
  ['failed', 'failed', (p) => p.status === 'failed'],
];

/**
 * The lineage line and the Regenerate buttons above the grid; `selected`, the prompt ids of the
 * grid's selection (selection.js), adds "Regenerate N selected". onOpen(runId) opens a run of the lineage.
 */
export function renderRevisions(container, { runId, lineage, prompts, selected = [], completed, onRegenerate, onOpen }) {
  const runs = lineage?.runs ?? [];
  const links = runs.length > 1 ? runs.map((run) => h('button', {
    type: 'button', className: `lineage-run${run.runId === runId ? ' current' : ''}`, 'aria-current': run.runId === runId ? 'true' : undefined,
    text: run.revision ? `Revision ${run.revision.number} · ${run.planned}` : `Original · ${run.planned}`, on: { click: () => onOpen(run.runId) },
  })) : [];
  const button = (select, name, label, count) => h('button', { type: 'button', className: 'regenerate', dataset: { select: name }, disabled: !completed, title: completed ? undefined : 'the run is still running', text: `Regenerate ${count} ${label}`, on: { click: () => onRegenerate(select, count) } });
  const buttons = SELECTIONS.map(([select, label, test]) => {
    const count = prompts.filter(test).length;
    return count === 0 ? null : button(select, select, label, count);
  });
  if (selected.length) buttons.push(button({ promptIds: selected }, 'selected', 'selected', selected.length));
  fill(container, links.length ? h('span', { className: 'lineage', 'aria-label': 'Versions of this dataset' }, h('span', { className: 'muted', text: 'Lineage:' }), links) : null, buttons);
  container.hidden = links.length === 0 && buttons.every((b) => b === null);
}

/** The form: append text, a category's new template, a note; Preview, then Regenerate. */
export class RegenerateForm {
  #body = null; // the body the shown preview was made from; Regenerate sends exactly it

  /** onStarted(runId) once the revision is accepted; onClose() on Cancel. */
  constructor(container, { onStarted, onClose }) {
    Object.assign(this, { container, onStarted, onClose });
    const stale = () => { this.#body = null; this.startButton.disabled = true; };
    this.title = h('h2', { id: 'rg-title' });
    this.append = h('input', { id: 'rg-append', type: 'text', placeholder: 'e.g. No text or signage in the image.', on: { input: stale } });
    this.category = h('select', { id: 'rg-category', on: { change: stale } });
    this.template = h('textarea', { id: 'rg-template', rows: 3, spellcheck: 'false', placeholder: 'leave empty to keep the template', on: { input: stale } });
    this.note = h('input', { id: 'rg-note', type: 'text', placeholder: 'why (kept with the revision)', on: { input: stale } });
    this.error = h('p', { id: 'rg-error', className: 'error', role: 'alert' });
    this.result = h('div', { id: 'rg-result', className: 'nr-result', 'aria-live': 'polite' });
    this.startButton = h('button', { type: 'button', id: 'rg-start', className: 'primary', text: 'Regenerate', disabled: true, on: { click: () => this.#start() } });
    const field = (label, control) => h('div', { className: 'field' }, h('label', { for: control.id, text: label }), control);
    container.append(h('form', { className: 'newrun-form', novalidate: true, on: { submit: (event) => { event.preventDefault(); this.#preview(); } } },
      h('div', { className: 'pane-head' }, this.title, h('button', { type: 'button', text: 'Cancel', on: { click: () => this.onClose() } })),
      field('Add to every prompt', this.append),
      h('div', { className: 'field-row' }, field('Category', this.category), field('Its new template', this.template)),
      field('Note', this.note),
      this.error,
      h('div', { className: 'actions' }, h('button', { type: 'submit', id: 'rg-preview', text: 'Preview' }), this.startButton, h('span', { className: 'muted', text: 'Nothing is spent until you press Regenerate.' })),
      this.result));
  }

  show({ runId, select, count, categories }) {
    Object.assign(this, { runId, select });
    this.#body = null;
    this.startButton.disabled = true;
    this.title.textContent = `Regenerate ${count} ${typeof select === 'string' ? select.replace('-', ' ') : 'selected'} of run ${runId}`;
    fill(this.category, h('option', { value: '', text: '(no template change)' }), categories.map((c) => h('option', { value: c, text: c })));
    for (const input of [this.append, this.template, this.note]) input.value = '';
    this.error.textContent = '';
    fill(this.result);
    this.container.hidden = false;
  }

  #request() {
    const amend = {};
    if (this.append.value.trim()) amend.append = this.append.value.trim();
    if (this.category.value && this.template.value.trim()) amend.templates = { [this.category.value]: this.template.value.trim() };
    return { select: this.select, ...(Object.keys(amend).length ? { amend } : {}), ...(this.note.value.trim() ? { note: this.note.value.trim() } : {}) };
  }

  async #preview() {
    const body = this.#request();
    this.error.textContent = '';
    try {
      const preview = await api.previewRevision(this.runId, body);
      this.#body = body;
      const quota = preview.quota.left === null ? 'no quota' : `quota: ${preview.quota.used} used, ${preview.quota.left} left`;
      fill(this.result,
        h('p', { className: 'preview-summary', text: `${preview.planned} images to regenerate as revision ${preview.revision} · estimated ${preview.costEstimate.usd} USD · ${quota}` }),
        h('table', { className: 'regen-slots' },
          h('thead', {}, h('tr', {}, h('th', { text: 'slot' }), h('th', { text: 'version' }), h('th', { text: 'prompt now' }), h('th', { text: 'new prompt' }))),
          h('tbody', {}, preview.slots.map((s) => h('tr', {}, h('td', { text: s.promptId }), h('td', { text: s.version }), h('td', { text: s.previousPrompt }), h('td', { text: s.prompt }))))));
      this.startButton.disabled = false;
    } catch (error) {
      this.error.textContent = [error.message, ...(error.fields ?? []).map((f) => `${f.field}: ${f.message}`)].filter((line, i, all) => all.indexOf(line) === i).join(' — ');
    }
  }

  async #start() {
    if (!this.#body) return;
    this.startButton.disabled = true;
    try {
      const created = await api.regenerate(this.runId, this.#body);
      this.container.hidden = true;
      this.onStarted(created.runId);
    } catch (error) {
      this.error.textContent = error.message;
    }
  }
}
