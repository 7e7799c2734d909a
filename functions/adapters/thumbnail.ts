import sharp, { type Sharp } from 'sharp';
import type { PreviewPixels } from '../core/quality/index.js';
import { PREVIEW_LONG_SIDE } from '../core/objects/index.js';

const fitPreview = (image: Sharp) => image.resize(PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE, { fit: 'inside', withoutEnlargement: true });
/**
 * JPEG, quality 80, without Huffman optimisation: the preview is the largest cost of an assessment
 * after the decode. On 11 photographs at 256×256 RGB (one libvips thread) this costs 1.4–1.5 CPU-ms
 * for 15.1 KiB; optimised Huffman tables cost 2.1–2.2 CPU-ms for 14.5 KiB, and WebP (quality 80,
 * effort 0) 4.7–5.1 CPU-ms for 13.9 KiB. Every browser shows JPEG. JPEG has no alpha: the input
 * must be one or three bands (the metrics pass gives RGB; makeThumbnail removes alpha).
 */
const encode = (image: Sharp) => image.jpeg({ quality: 80, optimiseCoding: false });

/**
 * The gallery grid's preview from the colour thumbnail the metrics pass box-filtered
 * (computeMetricsWithPreview): libvips only encodes a small image, with no second decode and
 * no second pass over the full-resolution pixels. The thumbnail already fits
 * PREVIEW_LONG_SIDE when the two sizes agree, and then gets no resize step: even a resize that
 * changes nothing costs libvips about 0.7 CPU-ms here, a sixth of the encode. The resize keeps
 * the preview's size if the sizes ever disagree.
 */
export function previewFromPixels(pixels: PreviewPixels): Promise<Buffer> {
  const image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
  return encode(Math.max(pixels.width, pixels.height) > PREVIEW_LONG_SIDE ? fitPreview(image) : image).toBuffer();
}

/** The same preview from an encoded image, for images stored before previews existed: one decode, once per image. */
export const makeThumbnail = (encoded: Buffer): Promise<Buffer> => encode(fitPreview(sharp(encoded).removeAlpha())).toBuffer();
