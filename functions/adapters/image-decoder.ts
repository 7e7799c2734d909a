import sharp from 'sharp';
import type { RawImage } from '../core/quality/index.js';

/**
 * The single full-resolution decode of an image: every metric is computed from this buffer.
 * Alpha is kept and flagged rather than stripped: `.removeAlpha()` costs libvips a second
 * pass over the pixels (about a third of a PNG decode), while the metrics skip it for free.
 * `failOn: 'truncated'` makes a cut-off file reject, so callers can record it as unreadable.
 */
export async function decodeImage(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes, { failOn: 'truncated', sequentialRead: true }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, hasAlpha: info.hasAlpha };
}
