// The grid's cards: a thumbnail fetched when it scrolls into view, the ids, the quality flags and the review.
import { fill, h } from './dom.js';
import { explainFlag, USABLE_EXPLANATION } from './explain.js';
import { reviewOf, saveLabel } from './review.js';
import { usableVerdict } from './usable.js';

export const HAS_IMAGE = new Set(['generated', 'assessed']);

/** The flags as badges; hovering one says what it means and its threshold. */
export function issueBadges(prompt, thresholds) {
  return h('div', { className: 'badges' }, prompt.issues.map((issue) => h('span', { className: `badge issue ${issue}`, title: explainFlag(issue, thresholds), text: issue.replaceAll('_', ' ') })));
}

/** "usable" or "not usable", with the reasons on hover; nothing for an image not yet assessed. */
export function usableBadge(prompt) {
  if (prompt.status !== 'assessed') return null;
  const { usable, reasons } = usableVerdict({ issues: prompt.issues, review: reviewOf(prompt) });
  return h('span', { className: `badge usable ${usable ? 'yes' : 'no'}`, title: usable ? USABLE_EXPLANATION : `Not usable: ${reasons.join(', ')}. ${USABLE_EXPLANATION}`, text: usable ? 'usable' : 'not usable' });
}

export class Cards {
  /** thumbs: api.js Thumbnails; saver: review.js ReviewSaver; onSelect(index, event) on click (Shift or Ctrl extends the selection), onOpen() on double click; thresholds() those of the open run. */
  constructor({ thumbs, saver, onSelect, onOpen, thresholds = () => ({}) }) {
    Object.assign(this, { thumbs, saver, onSelect, onOpen, thresholds });
    this.whenVisible = new WeakMap(); // frame → what to do when it scrolls into view
    this.visibility = new IntersectionObserver((entries) => {
      for (const entry of entries.filter((e) => e.isIntersecting)) {
        this.visibility.unobserve(entry.target);
        this.whenVisible.get(entry.target)();
      }
    }, { rootMargin: '300px' });
  }

  card(prompt, index) {
    return h('li', { className: 'card', role: 'option', 'aria-selected': 'false', dataset: { promptId: prompt.promptId }, on: { click: (event) => this.onSelect(index, event), dblclick: () => this.onOpen() } },
      this.thumbFrame(prompt),
      h('div', { className: 'card-head' }, h('span', { className: 'pid', text: prompt.promptId }), h('span', { className: 'category', title: prompt.category, text: prompt.category })),
      issueBadges(prompt, this.thresholds()),
      this.reviewLine(prompt));
  }

  /** A frame that shows the prompt's thumbnail once it scrolls into view (or a reason why not). */
  thumbFrame(prompt, className = 'thumb') {
    const frame = h('div', { className });
    if (!HAS_IMAGE.has(prompt.status)) {
      const text = prompt.status === 'failed' ? `failed: ${prompt.failureReason ?? 'no reason given'}` : `${prompt.status}…`;
      return fill(frame, h('span', { className: `no-image ${prompt.status}`, text }));
    }
    const image = (url) => h('img', { src: url, alt: `image ${prompt.promptId}` });
    const ready = this.thumbs.ready(prompt.runId, prompt.promptId);
    if (ready) return fill(frame, image(ready));
    fill(frame, h('span', { className: 'no-image', text: 'loading…' }));
    this.whenVisible.set(frame, () => this.thumbs.url(prompt.runId, prompt.promptId).then(
      (url) => frame.isConnected && fill(frame, image(url)),
      (error) => fill(frame, h('span', { className: 'no-image', text: `image unavailable: ${error.message}` }))));
    this.visibility.observe(frame);
    return frame;
  }

  reviewLine(prompt) {
    const review = reviewOf(prompt);
    const save = this.saver.state(prompt);
    return h('div', { className: 'card-review' },
      h('span', { className: review.relevance ? 'rating' : 'rating none', text: review.relevance ? `★ ${review.relevance}` : 'unrated' }),
      usableBadge(prompt),
      review.inappropriate && h('span', { className: 'badge flagged', text: 'inappropriate' }),
      review.note && h('span', { className: 'has-note', title: review.note, text: '✎' }),
      h('span', { className: `save-state ${save.status}`, text: saveLabel(save) }));
  }
}
