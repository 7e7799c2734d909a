// The quality guide in the help overlay: every flag and metric in plain words, with the open run's thresholds.
import { FLAG_EXPLANATIONS, METRIC_EXPLANATIONS, USABLE_EXPLANATION } from './explain.js';
import { fill, h } from './dom.js';

export function renderLegend(element, thresholds) {
  const rows = (explanations, label) => Object.entries(explanations).map(([name, explain]) =>
    h('tr', {}, h('th', { text: label(name) }), h('td', { text: explain(thresholds ?? {}) })));
  fill(element,
    h('p', { text: USABLE_EXPLANATION }),
    h('table', { className: 'kv' }, h('caption', { text: 'Flags' }), h('tbody', {}, rows(FLAG_EXPLANATIONS, (flag) => flag.replaceAll('_', ' ')))),
    h('table', { className: 'kv' }, h('caption', { text: 'Metrics' }), h('tbody', {}, rows(METRIC_EXPLANATIONS, (metric) => metric))));
}
