/**
 * Stored previews: the small image the gallery grid shows. The assessor writes one from the
 * pixels it has already decoded; the api serves it, or makes it once for an image from before
 * previews existed. A preview is derived from one image generation and never changes, so it
 * and its image share one strong validator.
 */
export const PREVIEW_LONG_SIDE = 256;
export const PREVIEW_CONTENT_TYPE = 'image/jpeg';
/**
 * Part of the preview's ETag: bump it when the preview's size or encoding changes, so a browser
 * holding the old preview (WebP until `jpeg256`) revalidates into the new one, not a 304.
 */
const PREVIEW_VERSION = 'jpeg256';

/**
 * `runs/{runId}/{category}/{promptId}.png` → `runs/{runId}/{category}/{promptId}.preview.jpg`.
 * It stays under the run's prefix, so purging a run deletes it, and the dot in its base name
 * keeps it out of the assessor's image pattern.
 */
export const previewObjectName = (imageName: string): string => `${imageName.replace(/\.(png|jpe?g|webp)$/, '')}.preview.jpg`;

/**
 * Previews stored before they were JPEG are named `….preview.webp`. They are never served again
 * (the image's first thumbnail request makes and stores a JPEG under the new name) and go with
 * their run's prefix when it is purged; until then they must still never count as an image.
 */
export const isPreviewObject = (name: string): boolean => /\.preview\.(jpg|webp)$/.test(name);

/** A strong ETag from the image object's generation; the preview's names its version too. */
export const imageEtag = (generation: string, preview: boolean): string => `"${generation}${preview ? `-${PREVIEW_VERSION}` : ''}"`;

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) tags; weak comparison applies. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
