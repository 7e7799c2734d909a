// The Spot check view, as the workshop teaches it: the run's seeded sample of 12 images
// (GET /v1/runs/{id}/spot-check, stratified by category) comes first in the grid, marked, so it is
// reviewed first; the header shows the share rejected so far with its 95 % Wilson interval.
import { api } from './api.js';
import { $, fill, h } from './dom.js';

const percent = (share) => `${Math.round(share * 1000) / 10} %`;

export function spotCheckText(answer) {
  const rate = answer.defectRate;
  const estimate = rate ? `${answer.rejected} rejected: defect rate ${percent(rate.estimate)} (95 % interval ${percent(rate.low)} to ${percent(rate.high)})` : 'no estimate until one is reviewed';
  return `Spot check (seed ${answer.seed}): ${answer.reviewed} of ${answer.sampled} sampled images reviewed · ${estimate}`;
}

export class SpotCheck {
  #ids = new Set();
  #runId = null;

  /** onChange() re-orders the grid when the view is switched on or off. */
  constructor({ onChange }) {
    this.onChange = onChange;
    this.active = false;
  }

  has(prompt) {
    return this.active && this.#ids.has(prompt.promptId);
  }

  async toggle(runId) {
    if (this.active && this.#runId === runId) return this.reset(true);
    await this.refresh(runId, { switchOn: true });
  }

  /** Reloads the sample's result (after a review of a sampled image is saved). */
  async refresh(runId, { switchOn = false } = {}) {
    if (!switchOn && !this.active) return;
    let answer;
    try {
      answer = await api.spotCheck(runId);
    } catch (error) {
      fill($('spot-summary'), h('span', { className: 'error', text: `Spot check unavailable: ${error.message}` }));
      $('spot-summary').hidden = false;
      return;
    }
    const turnedOn = !this.active || this.#runId !== runId;
    this.active = true;
    this.#runId = runId;
    this.#ids = new Set(answer.promptIds);
    $('run-spot-check').setAttribute('aria-pressed', 'true');
    fill($('spot-summary'), spotCheckText(answer));
    $('spot-summary').hidden = false;
    if (turnedOn) this.onChange();
  }

  /** The sampled images first, in grid order, then the rest. */
  order(prompts) {
    if (!this.active) return prompts;
    return [...prompts.filter((p) => this.#ids.has(p.promptId)), ...prompts.filter((p) => !this.#ids.has(p.promptId))];
  }

  reset(notify = false) {
    this.active = false;
    this.#ids = new Set();
    this.#runId = null;
    $('run-spot-check').setAttribute('aria-pressed', 'false');
    $('spot-summary').hidden = true;
    if (notify) this.onChange();
  }
}
