import sharp from 'sharp';
import type { RawImage } from '../core/quality/index.js';
import { computeImageHash, computeReferenceSignature, type ImageHash, type ReferenceSignature } from '../core/references/index.js';

/**
 * The longest side the guard looks at. Its hashes read 32 × 32 averages of windows at least three
 * quarters of the image wide, so finer detail is averaged away anyway; shrinking in the same
 * libvips pipeline lets a JPEG decode at reduced size and keeps the summed-area table small.
 */
export const SIGNATURE_MAX_SIDE = 512;

/**
 * The one decode, shrunk to at most SIGNATURE_MAX_SIDE on the long side. `failOn: 'truncated'`
 * makes a cut-off file reject rather than be hashed half grey.
 */
async function decodeForGuard(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes, { failOn: 'truncated' })
    .resize({ width: SIGNATURE_MAX_SIDE, height: SIGNATURE_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, hasAlpha: info.hasAlpha };
}

/** A generated image's hash, from its encoded bytes. */
export async function imageHashOf(bytes: Buffer): Promise<ImageHash> {
  return computeImageHash(await decodeForGuard(bytes));
}

/** A reference's signature, from its encoded bytes: computed once, when the reference is stored. */
export async function referenceSignatureOf(bytes: Buffer): Promise<ReferenceSignature> {
  return computeReferenceSignature(await decodeForGuard(bytes));
}
