// The detail view's image area: each image fitted to its pane, or zoomed with + and - and the mouse
// wheel. From 100 % up every image pixel is drawn as a block of screen pixels (pixelated), so the
// pixel grid shows instead of a smoothed blur. A near duplicate is shown beside the image it
// duplicates, both at the same zoom, so they can be compared detail for detail.
import { fill, h } from './dom.js';

const STEPS = [0.125, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8];

export class ZoomView {
  #scale = null; // null: fit every image to its pane
  #panes = []; // [{ frame, img }]

  /** container: the image area; label: where the zoom level is written. */
  constructor(container, label) {
    Object.assign(this, { container, label });
    // The wheel zooms the images instead of scrolling them; a trackpad's small deltas count too.
    container.addEventListener('wheel', (event) => {
      if (!this.#images().length || event.deltaY === 0) return;
      event.preventDefault();
      this.step(event.deltaY < 0 ? 1 : -1);
    }, { passive: false });
    window.addEventListener('resize', () => this.#scale === null && this.#apply());
  }

  /**
   * Shows one pane per entry, side by side: { caption, url } for an image, { caption, text } for a
   * message (loading, failed). Starts fitted.
   */
  show(entries) {
    this.#scale = null;
    this.#panes = entries.map(({ caption, url, text, className }) => {
      const img = url ? h('img', { src: url, alt: caption, draggable: 'false' }) : null;
      const frame = h('div', { className: 'zoom-frame' }, img ?? h('p', { className: `no-image ${className ?? ''}`.trim(), text }));
      img?.addEventListener('load', () => this.#apply());
      frame.addEventListener('scroll', () => this.#follow(frame));
      return { frame, img, figure: h('figure', { className: 'zoom-pane' }, frame, entries.length > 1 ? h('figcaption', { text: caption }) : null) };
    });
    fill(this.container, this.#panes.map((pane) => pane.figure));
    this.container.classList.toggle('compare', entries.length > 1);
    this.#apply();
  }

  /** One step of STEPS in (1) or out (-1), from the fitted scale when fitted. */
  step(direction) {
    const now = this.scale();
    if (now === null) return;
    const next = direction > 0 ? STEPS.find((s) => s > now + 1e-6) : STEPS.findLast((s) => s < now - 1e-6);
    if (next === undefined) return;
    this.#scale = next;
    this.#apply();
  }

  fit() {
    this.#scale = null;
    this.#apply();
  }

  /** The scale in force: the chosen step, or the largest at which every image fits its pane; null before any image has loaded. */
  scale() {
    if (this.#scale !== null) return this.#scale;
    const loaded = this.#images();
    if (!loaded.length) return null;
    return Math.min(...loaded.map(({ frame, img }) => Math.min(frame.clientWidth / img.naturalWidth, frame.clientHeight / img.naturalHeight)));
  }

  #images() {
    return this.#panes.filter(({ img }) => img && img.complete && img.naturalWidth > 0);
  }

  /** Scrolling one image scrolls the other the same way, so a duplicate is compared spot for spot. */
  #follow(source) {
    for (const { frame } of this.#panes) {
      if (frame === source) continue;
      if (frame.scrollLeft !== source.scrollLeft) frame.scrollLeft = source.scrollLeft;
      if (frame.scrollTop !== source.scrollTop) frame.scrollTop = source.scrollTop;
    }
  }

  #apply() {
    const scale = this.scale();
    for (const { frame, img } of this.#images()) {
      // Zooming keeps the spot at the pane's centre where it was.
      const centre = [(frame.scrollLeft + frame.clientWidth / 2) / frame.scrollWidth, (frame.scrollTop + frame.clientHeight / 2) / frame.scrollHeight];
      img.style.width = `${Math.floor(img.naturalWidth * scale)}px`;
      img.style.height = `${Math.floor(img.naturalHeight * scale)}px`;
      img.classList.toggle('pixelated', scale >= 1);
      frame.scrollLeft = centre[0] * frame.scrollWidth - frame.clientWidth / 2;
      frame.scrollTop = centre[1] * frame.scrollHeight - frame.clientHeight / 2;
    }
    const percent = scale === null ? '' : `${Math.round(scale * 100)} %`;
    this.label.textContent = this.#scale === null ? (percent && `Fit · ${percent}`) : percent;
  }
}
