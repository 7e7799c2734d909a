// A near copy of a reference photograph, shown beside that reference so a reviewer sees why it is
// withheld. The reference comes through the api, which serves it only to a viewer who may see it
// (its owner, the instructor, or anyone once shared); anyone else sees the verdict, never the pixels.
import { api } from './api.js';
import { h } from './dom.js';

/**
 * The detail view's section for an image the privacy guard withheld, or null. `isCurrent()` says
 * whether the image is still on show when the pictures arrive; `keepUrls(urls)` hands the blob URLs
 * to the view, which revokes them when it moves on.
 */
export function referenceSection(prompt, { isCurrent, keepUrls }) {
  const screening = prompt.referenceScreening;
  if (!screening || screening.outcome === 'clear') return null;
  const title = h('h3', { text: screening.outcome === 'copy' ? 'Near copy of a reference' : 'Not screened against its references' });
  if (screening.outcome !== 'copy') return h('section', {}, title, h('p', { className: 'error', text: `Never exported: ${screening.reason}.` }));
  const figure = (label) => h('figure', {}, h('div', { className: 'thumb', text: '…' }), h('figcaption', { text: label }));
  const pair = h('div', { className: 'reference-pair' }, figure('this image'), figure(`reference ${screening.referenceId}`));
  const fetches = [api.imageUrl(prompt.runId, prompt.promptId, { thumb: true }), api.referenceImageUrl(screening.referenceId)];
  Promise.all(fetches.map((url) => url.catch(() => null))).then((urls) => {
    if (!isCurrent()) return urls.forEach((url) => url && URL.revokeObjectURL(url));
    keepUrls(urls.filter(Boolean));
    const missing = ['no image', 'reference not shown: it is not yours or not shared'];
    urls.forEach((url, i) => pair.children[i]?.firstElementChild.replaceWith(
      url ? h('img', { className: 'thumb', src: url, alt: pair.children[i].lastElementChild.textContent }) : h('div', { className: 'thumb', text: missing[i] })));
  });
  return h('section', { className: 'reference-copy' }, title, h('p', { className: 'error', text: `Never exported: ${screening.reason}.` }), pair);
}
