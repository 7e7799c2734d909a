// The review pane's checks beyond relevance and inappropriate: the seed's cultural sensitivity and
// scenario alignment, and the cohort's own labels as the instructor declared them. Each has a key;
// a key (or a click) gives the change to save, computed from the image's current review.
import { h } from './dom.js';

/** Keys a label can take, in declaration order: letters no other gallery shortcut uses. */
const LABEL_KEY_POOL = ['b', 'd', 'e', 'g', 'h', 'i', 'l', 'm', 'o', 'p', 'q', 's', 't', 'v', 'w', 'y'];

let declared = []; // [{ key, name, type: 'yesno' | 'choice', choices?, shortcut? }]

/** The cohort's label declaration (GET /v1/cohort/labels); each label gets a shortcut while the pool lasts. */
export function setCohortLabels(labels) {
  declared = labels.map((label, i) => ({ ...label, shortcut: LABEL_KEY_POOL[i] ?? null }));
}

export const cohortLabels = () => declared;

const labelsOf = (review) => review.labels ?? {};
const valueOf = (review, key) => (Object.hasOwn(labelsOf(review), key) ? labelsOf(review)[key] : null);

/** yes ↔ no (unset starts at yes); a choice steps through its choices, then back to unset. */
function nextValue(label, current) {
  if (label.type === 'yesno') return current !== true;
  const at = label.choices.indexOf(current);
  return at + 1 < label.choices.length ? label.choices[at + 1] : null;
}

const labelChange = (review, label, value) => ({ labels: { ...labelsOf(review), [label.key]: value } });

/** c: concern ↔ ok (unset starts at concern); a: aligned yes ↔ no (unset starts at yes). */
const CHECK_KEYS = {
  c: (review) => ({ culturalSensitivity: review.culturalSensitivity === 'concern' ? 'ok' : 'concern' }),
  a: (review) => ({ scenarioAligned: review.scenarioAligned !== true }),
};

/** review → change for a key of the pane, or undefined when the key is not one of them. */
export function paneChangeFor(key) {
  if (Object.hasOwn(CHECK_KEYS, key)) return CHECK_KEYS[key];
  const label = declared.find((candidate) => candidate.shortcut === key);
  return label ? (review) => labelChange(review, label, nextValue(label, valueOf(review, label.key))) : undefined;
}

/** The controls: onChange(change) saves. update(review) shows a review's values. */
export class CheckControls {
  #onChange;
  #review = {};

  constructor(onChange) {
    this.#onChange = onChange;
    this.element = h('div', { className: 'checks' });
  }

  update(review) {
    this.#review = review;
    const choice = (text, pressed, change, title) => h('button', { type: 'button', className: 'choice', text, title, 'aria-pressed': String(pressed), on: { click: () => this.#onChange(change) } });
    const row = (name, shortcut, ...buttons) => h('div', { className: 'check', role: 'group', 'aria-label': name }, h('span', { className: 'label', text: name }), buttons, shortcut ? h('kbd', { text: shortcut }) : null);
    this.element.replaceChildren(
      row('Cultural sensitivity', 'c',
        choice('OK', review.culturalSensitivity === 'ok', { culturalSensitivity: 'ok' }, 'No cultural concern'),
        choice('Concern', review.culturalSensitivity === 'concern', { culturalSensitivity: 'concern' }, 'Shows people, places or customs disrespectfully or by stereotype')),
      row('Scenario aligned', 'a',
        choice('Yes', review.scenarioAligned === true, { scenarioAligned: true }, 'Shows the scenario and category asked for'),
        choice('No', review.scenarioAligned === false, { scenarioAligned: false }, 'Shows something else')),
      ...declared.map((label) => {
        const current = valueOf(review, label.key);
        const options = label.type === 'yesno' ? [['Yes', true], ['No', false]] : label.choices.map((c) => [c, c]);
        // Names and choices are the instructor's text: they go in as text, never as markup.
        return row(label.name ?? label.key, label.shortcut,
          ...options.map(([text, value]) => choice(text, current === value, labelChange(this.#review, label, current === value ? null : value), `${label.name ?? label.key}: ${text}`)));
      }));
  }
}
