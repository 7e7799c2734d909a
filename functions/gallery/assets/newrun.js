// The "New run" form: a built-in scenario or one pasted or uploaded, count, categories, seed and
// image settings; a preview (POST /v1/runs:preview) before anything is spent; the server's
// errors shown next to the field they concern, with its suggestion; then the run itself.
import { api } from './api.js';
import { fill, h } from './dom.js';

const ASPECT_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const SIZES = ['1K', '2K', '4K'];
/** Which field of the form a server error path belongs to. */
const fieldKey = (path) => (path.startsWith('scenario') ? 'scenario' : path.startsWith('image') ? 'image' : ['count', 'seed', 'categories'].includes(path) ? path : 'form');

export class NewRunForm {
  #previewed = null; // the body the shown preview was made from; Start sends exactly it
  #errors = {};
  #inputs = {};

  /** onStarted(runId) once a run is accepted; onClose() on Cancel. */
  constructor(container, { onStarted, onClose }) {
    Object.assign(this, { container, onStarted, onClose });
    const input = (key, props) => (this.#inputs[key] = h(props.tag ?? 'input', { id: `nr-${key}`, ...props, tag: undefined, on: { input: () => this.#stale(), change: () => this.#stale() } }));
    const errorLine = (key) => (this.#errors[key] = h('p', { className: 'field-error error', id: `nr-error-${key}`, role: 'alert' }));
    const field = (key, label, control, hint) => h('div', { className: `field field-${key}` }, h('label', { for: `nr-${key}`, text: label }), control, hint && h('p', { className: 'muted hint-line', text: hint }), errorLine(key));
    const option = (value, text, selected) => h('option', { value, text, selected });

    input('source', { tag: 'select' });
    fill(this.#inputs.source, option('builtin', 'Built-in: Republic of Marevand (default)', true), option('json', 'My own scenario (JSON below)'));
    input('scenario', { tag: 'textarea', rows: 10, spellcheck: 'false', placeholder: '{ "name": "…", "variables": { … }, "categories": { "street": { "template": "A street {time_of_day}." } } }' });
    this.#inputs.source.addEventListener('change', () => this.#showScenarioBox());
    const upload = h('input', { id: 'nr-file', type: 'file', accept: 'application/json,.json', on: { change: () => this.#load(upload.files[0]) } });
    input('count', { type: 'number', min: 1, max: 500, value: 20, required: true });
    input('categories', { type: 'text', placeholder: 'all, or e.g. gatherings,protest_scenes' });
    input('seed', { type: 'text', inputmode: 'numeric', placeholder: 'random' });
    input('aspect', { tag: 'select' });
    fill(this.#inputs.aspect, option('', 'scenario’s (1:1)', true), ASPECT_RATIOS.map((r) => option(r, r)));
    input('size', { tag: 'select' });
    fill(this.#inputs.size, option('', 'scenario’s (1K)', true), SIZES.map((s) => option(s, s)));

    this.previewButton = h('button', { type: 'submit', id: 'nr-preview', text: 'Preview' });
    this.startButton = h('button', { type: 'button', id: 'nr-start', className: 'primary', text: 'Start run', disabled: true, on: { click: () => this.#start() } });
    this.result = h('div', { id: 'nr-result', className: 'nr-result', 'aria-live': 'polite' });
    this.form = h('form', { className: 'newrun-form', novalidate: true, on: { submit: (event) => { event.preventDefault(); this.#preview(); } } },
      h('div', { className: 'pane-head' }, h('h2', { text: 'New run' }), h('button', { type: 'button', text: 'Cancel', on: { click: () => this.onClose() } })),
      field('source', 'Scenario', this.#inputs.source),
      field('scenario', 'Scenario JSON (paste, or upload a file)', h('div', { className: 'json-box' }, this.#inputs.scenario, upload), 'See docs/scenarios.md for the format.'),
      h('div', { className: 'field-row' },
        field('count', 'Images', this.#inputs.count),
        field('seed', 'Seed', this.#inputs.seed, 'same seed, same prompts'),
        field('aspect', 'Aspect ratio', this.#inputs.aspect),
        field('size', 'Image size', this.#inputs.size)),
      field('categories', 'Categories', this.#inputs.categories),
      errorLine('image'),
      errorLine('form'),
      h('div', { className: 'actions' }, this.previewButton, this.startButton, h('span', { className: 'muted', text: 'Nothing is spent until you press Start run.' })),
      this.result);
    this.scenarioField = this.#errors.scenario.parentElement;
    container.append(this.form);
    this.#showScenarioBox();
  }

  /** The JSON box only for "My own scenario": with a built-in one it would be ignored, and looked as if it counted. */
  #showScenarioBox() {
    this.scenarioField.hidden = this.#inputs.source.value !== 'json';
  }

  show() {
    this.container.hidden = false;
    this.#inputs.count.focus();
  }

  async #load(file) {
    if (!file) return;
    this.#inputs.scenario.value = await file.text();
    this.#inputs.source.value = 'json';
    this.#showScenarioBox();
    this.#stale();
  }

  /** The request body, or null after marking the field that is not even JSON. */
  #body() {
    const value = (key) => this.#inputs[key].value.trim();
    const number = (text) => (/^\d+$/.test(text) ? Number(text) : text); // anything else goes as typed: the server says what is wrong
    const body = { count: number(value('count')) };
    if (value('source') === 'json') {
      try {
        body.scenario = JSON.parse(value('scenario') || 'null');
      } catch (error) {
        this.#showErrors([{ field: 'scenario', message: `not valid JSON: ${error.message}` }]);
        return null;
      }
    }
    const categories = value('categories').split(',').map((c) => c.trim()).filter(Boolean);
    if (categories.length) body.categories = categories;
    if (value('seed')) body.seed = number(value('seed'));
    const image = { ...(value('aspect') && { aspectRatio: value('aspect') }), ...(value('size') && { imageSize: value('size') }) };
    if (Object.keys(image).length) body.image = image;
    return body;
  }

  /** Any edit makes the preview out of date: Start waits for a new one. */
  #stale() {
    this.#previewed = null;
    this.startButton.disabled = true;
  }

  async #preview() {
    this.#showErrors([]);
    const body = this.#body();
    if (!body) {
      // The preview shown was of another scenario: leaving it under the error would pass it off as this one's.
      fill(this.result);
      return;
    }
    this.previewButton.disabled = true;
    fill(this.result, h('p', { className: 'muted', text: 'Planning…' }));
    try {
      const preview = await api.previewRun(body);
      // The preview fixed a seed; starting with it plans exactly the prompts shown.
      this.#previewed = { ...body, seed: preview.seed };
      this.#render(preview);
      this.startButton.disabled = false;
    } catch (error) {
      fill(this.result);
      this.#showErrors(error.fields?.length ? error.fields : [{ field: '', message: error.message }]);
    } finally {
      this.previewButton.disabled = false;
    }
  }

  async #start() {
    if (!this.#previewed) return;
    this.startButton.disabled = true;
    try {
      const created = await api.createRun(this.#previewed);
      this.#stale();
      fill(this.result);
      this.onStarted(created.runId);
    } catch (error) {
      this.startButton.disabled = false;
      this.#showErrors(error.fields?.length ? error.fields : [{ field: '', message: error.message }]);
    }
  }

  #showErrors(issues) {
    for (const line of Object.values(this.#errors)) fill(line);
    for (const control of Object.values(this.#inputs)) control.removeAttribute('aria-invalid');
    for (const issue of issues) {
      const key = fieldKey(issue.field ?? '');
      const where = key === 'scenario' && issue.field.startsWith('scenario.') ? `${issue.field.slice('scenario.'.length)}: ` : '';
      this.#errors[key].append(h('span', { className: 'issue-text', text: `${where}${issue.message}` }), issue.suggestion ? this.#fix(issue) : '', ' ');
      this.#inputs[key === 'image' ? 'aspect' : key]?.setAttribute('aria-invalid', 'true');
    }
    const first = issues.map((issue) => this.#inputs[fieldKey(issue.field ?? '')]).find(Boolean);
    first?.focus();
  }

  /** A button that applies the server's suggestion, where the fix is a plain replacement in the JSON. */
  #fix(issue) {
    const typed = /unknown placeholder (\{[^}]*\})/.exec(issue.message)?.[1];
    if (!typed) return h('span', { className: 'suggestion', text: ` Suggestion: ${issue.suggestion}` });
    return h('button', { type: 'button', className: 'suggestion', text: `Use ${issue.suggestion}`, on: { click: () => {
      this.#inputs.scenario.value = this.#inputs.scenario.value.split(typed).join(issue.suggestion);
      this.#preview();
    } } });
  }

  #render(preview) {
    const cost = preview.costEstimate.usd === null ? 'no price on record' : `$${preview.costEstimate.usd.toFixed(3)}`;
    const quota = preview.quota.left === null ? 'no quota (instructor)' : `${preview.quota.used} used, ${preview.quota.left} left`;
    const balanceTable = (title, balance) => h('table', { className: 'kv balance' },
      h('caption', { text: `${title} · evenness ${balance.normalisedEntropy.toFixed(2)}` }),
      h('tbody', {}, Object.entries(balance.counts).map(([value, n]) => h('tr', {}, h('th', { text: value }), h('td', { text: n })))));
    fill(this.result,
      h('p', { className: 'preview-summary' },
        h('strong', { text: `${preview.planned} images planned` }),
        ` · scenario ${preview.scenario} · seed ${preview.seed} · ${preview.image.aspectRatio} at ${preview.image.imageSize} · estimated cost ${cost} · your quota: ${quota}`),
      h('p', { className: 'muted', text: 'Balance: how often each category and each value of every axis is used. Evenness 1 means all equally often.' }),
      h('div', { className: 'balances' }, balanceTable('Categories', preview.balance.categories),
        Object.entries(preview.balance.axes).map(([axis, balance]) => balanceTable(axis, balance))),
      h('ol', { className: 'preview-prompts' }, preview.prompts.map((p) =>
        h('li', {}, h('span', { className: 'pid', text: p.promptId }), ' ', h('span', { className: 'category', text: p.category }), h('p', { className: 'prompt-text', text: p.prompt })))));
  }
}
