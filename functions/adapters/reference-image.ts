import { createHash } from 'node:crypto';
import sharp, { type OutputInfo } from 'sharp';
import { REFERENCE_LIMITS, storeReferenceSignature, type StoredReferenceSignature } from '../core/references/index.js';
import { referenceSignatureOf } from './reference-signature.js';

export interface PreparedReference {
  /** The stored form: JPEG, at most REFERENCE_LIMITS.storedMaxSide on the long side, no metadata. */
  bytes: Buffer;
  width: number;
  height: number;
  sha256: string;
  signature: StoredReferenceSignature;
}

export type PrepareOutcome = { ok: true; reference: PreparedReference } | { ok: false; message: string };

/**
 * Decodes an upload whose header was already checked, and re-encodes it as the stored copy.
 * `limitInputPixels` is the decoder's own bomb guard, behind the header check; sharp writes no
 * metadata unless asked, so EXIF, GPS, XMP and ICC blocks are all dropped (pixels are converted
 * to sRGB first). The EXIF orientation is applied before it is dropped, so the photo stays upright.
 */
export async function prepareReference(upload: Buffer): Promise<PrepareOutcome> {
  const input = () => sharp(upload, { limitInputPixels: REFERENCE_LIMITS.maxInputPixels, failOn: 'truncated', animated: true });
  let stored: { data: Buffer; info: OutputInfo };
  try {
    const metadata = await input().metadata();
    if ((metadata.pages ?? 1) > 1) return { ok: false, message: 'animated images are not accepted; send a still photograph' };
    stored = await sharp(upload, { limitInputPixels: REFERENCE_LIMITS.maxInputPixels, failOn: 'truncated' })
      .rotate()
      .resize({ width: REFERENCE_LIMITS.storedMaxSide, height: REFERENCE_LIMITS.storedMaxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .jpeg({ quality: 88 })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    // The decoder's refusal of a damaged or oversized file is the client's error, not ours.
    return { ok: false, message: `the image could not be decoded: ${error instanceof Error ? error.message : String(error)}` };
  }
  const signature = storeReferenceSignature(await referenceSignatureOf(stored.data));
  return {
    ok: true,
    reference: { bytes: stored.data, width: stored.info.width, height: stored.info.height, sha256: createHash('sha256').update(stored.data).digest('hex'), signature },
  };
}
