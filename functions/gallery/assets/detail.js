// The detail view of one image: the full-size image, the review controls, and everything known about the prompt.
import { api } from './api.js';
import { HAS_IMAGE, issueBadges, usableBadge } from './cards.js';
import { explainMetric } from './explain.js';
import { $, fill, formatNumber, h } from './dom.js';
import { expectedNote, judgeSection } from './judge.js';
import { ZoomView } from './zoom.js';
import { referenceSection } from './reference-copy.js';

export class DetailView {
  /** panel: a review.js ReviewPanel; cards: cards.js Cards, for the original's thumbnail; onOpenPrompt(promptId) for the duplicate's link. */
  constructor({ panel, cards, onOpenPrompt }) {
    Object.assign(this, { panel, cards, onOpenPrompt });
    this.imageUrls = []; // the full-size images on show (the image, and the one it duplicates)
    this.zoom = new ZoomView($('detail-image'), $('detail-zoom'));
  }

  /**
   * Shows a prompt. `position` is shown in the title ("3 of 40"); `original` is the prompt it
   * duplicates, if loaded; `isCurrent()` says whether it is still on show when its image arrives.
   */
  show(prompt, { position, original, isCurrent, thresholds }) {
    this.setReferenceUrls([]);
    $('detail-title').textContent = `${prompt.promptId} · ${prompt.category} · ${position}`;
    this.showImage(prompt, isCurrent, original);
    this.panel.show(prompt);
    const section = (title, ...content) => h('section', {}, h('h3', { text: title }), ...content);
    const table = (entries) => h('table', { className: 'kv' }, h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('th', { text: k }), h('td', { text: v })))));
    fill($('detail-info'),
      section('Prompt', h('p', { className: 'prompt-text', text: prompt.prompt })),
      prompt.status === 'failed' && section('Failed', h('p', { className: 'error', text: prompt.failureReason ?? 'no reason given' })),
      section('Review', this.panel.element),
      judgeSection(prompt),
      section('Quality flags', prompt.issues.length ? issueBadges(prompt, thresholds) : h('p', { className: 'muted', text: prompt.metrics ? 'none' : 'not assessed' }), usableBadge(prompt), expectedNote(prompt)),
      referenceSection(prompt, { isCurrent, keepUrls: (urls) => this.setReferenceUrls(urls) }),
      prompt.duplicateOf && section('Duplicate of',
        h('button', { type: 'button', className: 'duplicate', on: { click: () => this.onOpenPrompt(prompt.duplicateOf) } },
          original ? this.cards.thumbFrame(original, 'thumb small') : null, `${prompt.duplicateOf} — open the original`)),
      prompt.replaces && section('Versions', this.versions(prompt, isCurrent)),
      section('Variables', table(Object.entries(prompt.variables ?? {}))),
      prompt.metrics && section('Metrics', h('table', { className: 'kv metrics' }, h('tbody', {}, Object.entries(prompt.metrics).map(([k, v]) =>
        h('tr', { title: explainMetric(k, thresholds) }, h('th', { text: k }), h('td', { text: formatNumber(v) }), h('td', { className: 'meaning', text: explainMetric(k, thresholds) })))))),
      section('Details', table([['status', prompt.status], ['version', prompt.version ?? 1], ['index', prompt.index], ['seed', prompt.seed], ['model', prompt.model ?? '']])));
  }

  /** Lets the full-size image and the versions' previews go. */
  clear() {
    this.setImageUrls([]);
    this.setVersionUrls([]);
    this.setReferenceUrls([]);
  }

  setReferenceUrls(urls) {
    for (const url of this.referenceUrls ?? []) URL.revokeObjectURL(url);
    this.referenceUrls = urls;
  }

  /** A regenerated image beside the one it replaces (`replaces` is `runId/promptId`), as previews. */
  versions(prompt, isCurrent) {
    const [runId, promptId] = prompt.replaces.split('/');
    const figure = (label, id) => h('figure', { className: 'version', dataset: { image: id } }, h('div', { className: 'thumb small', text: '…' }), h('figcaption', { text: label }));
    const strip = h('div', { className: 'versions' },
      figure(`version ${(prompt.version ?? 2) - 1} · replaced (run ${runId})`, prompt.replaces),
      figure(`version ${prompt.version ?? 2} · this image`, `${prompt.runId}/${prompt.promptId}`));
    this.setVersionUrls([]);
    Promise.all([api.imageUrl(runId, promptId, { thumb: true }), HAS_IMAGE.has(prompt.status) ? api.imageUrl(prompt.runId, prompt.promptId, { thumb: true }) : null].map((url) => url && url.catch(() => null))).then((urls) => {
      if (!isCurrent()) return urls.forEach((url) => url && URL.revokeObjectURL(url));
      this.setVersionUrls(urls.filter(Boolean));
      urls.forEach((url, i) => strip.children[i]?.firstElementChild.replaceWith(url ? h('img', { className: 'thumb small', src: url, alt: strip.children[i].textContent }) : h('div', { className: 'thumb small', text: 'no image' })));
    });
    return strip;
  }

  setVersionUrls(urls) {
    for (const url of this.versionUrls ?? []) URL.revokeObjectURL(url);
    this.versionUrls = urls;
  }

  /** The image, and beside it the image it duplicates (`original`, when loaded and it has one), fitted and zoomable. */
  showImage(prompt, isCurrent, original) {
    this.setImageUrls([]);
    if (!HAS_IMAGE.has(prompt.status)) return this.zoom.show([{ text: `no image (${prompt.status})` }]);
    const shown = [{ prompt, caption: `${prompt.promptId} · this image` }];
    if (original && HAS_IMAGE.has(original.status)) shown.push({ prompt: original, caption: `${original.promptId} · the image it duplicates` });
    this.zoom.show(shown.map(({ caption }) => ({ caption, text: 'loading…' })));
    const load = ({ prompt: p }) => api.imageUrl(p.runId, p.promptId).then((url) => ({ url }), (error) => ({ error }));
    Promise.all(shown.map(load)).then((results) => {
      const urls = results.map((r) => r.url).filter(Boolean);
      if (!isCurrent()) return urls.forEach((url) => URL.revokeObjectURL(url));
      this.setImageUrls(urls);
      this.zoom.show(results.map((r, i) => (r.url
        ? { caption: shown[i].caption, url: r.url }
        : { caption: shown[i].caption, text: `image unavailable: ${r.error.message}`, className: 'error' })));
    });
  }

  setImageUrls(urls) {
    for (const url of this.imageUrls) URL.revokeObjectURL(url);
    this.imageUrls = urls;
  }
}
