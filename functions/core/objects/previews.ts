/**
 * Stored previews: the small image the gallery grid shows. The assessor writes one from the
 * pixels it has already decoded; the api serves it, or makes it once for an image from before
 * previews existed. A preview is derived from one image generation and never changes, so it
 * and its image share one strong validator.
 */
export const PREVIEW_LONG_SIDE = 256;
export const PREVIEW_CONTENT_TYPE = 'image/webp';
/** Part of the preview's ETag: bump it when the preview's size or encoding changes. */
const PREVIEW_VERSION = 'webp256';

/**
 * `runs/{runId}/{category}/{promptId}.png` → `runs/{runId}/{category}/{promptId}.preview.webp`.
 * It stays under the run's prefix, so purging a run deletes it, and the dot in its base name
 * keeps it out of the assessor's image pattern.
 */
export const previewObjectName = (imageName: string): string => `${imageName.replace(/\.(png|jpe?g|webp)$/, '')}.preview.webp`;

export const isPreviewObject = (name: string): boolean => name.endsWith('.preview.webp');

/** A strong ETag from the image object's generation; the preview's names its version too. */
export const imageEtag = (generation: string, preview: boolean): string => `"${generation}${preview ? `-${PREVIEW_VERSION}` : ''}"`;

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) tags; weak comparison applies. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
