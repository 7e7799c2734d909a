import sharp from 'sharp';
import type { RawImage } from '../core/quality/index.js';

/**
 * The judge sees the image at 384 px on the long side: on Gemini 2.x both sides ≤ 384 px cost the
 * minimum 258 tokens, while the 1024² original costs 4 tiles, 1,032 tokens (core/runs/pricing.ts).
 * People, placards and settings stay recognisable at that size; fine hand and text defects in
 * a large crowd are the price of a quarter of the tokens.
 */
export const JUDGE_IMAGE_SIDE = 384;

/** Encodes the judge's copy from the assessor's one decode: no second read or decode of the object. */
export async function judgeImageOf(image: RawImage): Promise<{ mimeType: string; data: Buffer }> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } })
    .resize(JUDGE_IMAGE_SIDE, JUDGE_IMAGE_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 85 })
    .toBuffer();
  return { mimeType: 'image/jpeg', data };
}
