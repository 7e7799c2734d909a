import sharp, { type Sharp } from 'sharp';
import type { RawImage } from '../core/quality/index.js';
import { PREVIEW_LONG_SIDE } from '../core/objects/index.js';

const resize = (image: Sharp) => image.resize(PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, effort: 2 });

/**
 * The gallery grid's preview from pixels the assessor has already decoded: a resize of the
 * raw buffer, not a second decode. Alpha, when present, is dropped, as the grid shows no
 * transparency.
 */
export const previewFromPixels = (image: RawImage): Promise<Buffer> =>
  resize(sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } }).removeAlpha()).toBuffer();

/** The same preview from an encoded image, for images stored before previews existed: one decode, once per image. */
export const makeThumbnail = (encoded: Buffer): Promise<Buffer> => resize(sharp(encoded).removeAlpha()).toBuffer();
