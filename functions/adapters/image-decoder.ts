import sharp from 'sharp';
import type { RawImage } from '../core/metrics.js';

/** The single full-resolution decode of an image: every metric is computed from this buffer. */
export async function decodeImage(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes, { failOn: 'truncated' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
