/**
 * The compact signature the privacy guard keeps per reference: DCT perceptual hashes of a grid
 * of cropped windows of it, both as they are and mirrored. It is computed once when the reference
 * is stored; a generated image only needs the hash of its whole frame, and comparing the two is
 * then a few hundred XORs.
 *
 * Why windows: an image that copies a reference cropped by up to 10 % per side shows a
 * sub-window of it, so its frame is compared with the reference's windows cropped by 0 to 10.5 %
 * per side, in steps that leave the nearest window at most 1.75 % of a side away. Why mirrored:
 * a horizontal flip reverses every row, which the reference's mirrored windows already hold.
 */
import type { RawImage } from '../quality/index.js';
import { dctCoefficients, equalise, hashBits, mirrorCoefficients } from './dct-hash.js';
import { lumaTable, sampleWindow, type LumaTable, type Window } from './window-sampler.js';

/** The luma grid each window is averaged into. */
export const GRID_SIZE = 32;
/**
 * Frequencies kept per axis: 16 × 16 minus the constant term, 255 bits. Measured against 8 × 8
 * (63 bits), the longer hash separates copies from unrelated photographs by a wider margin, since
 * the minimum over 512 windows brings unrelated images closer the fewer bits there are.
 */
export const KEPT_FREQUENCIES = 16;
/** The crop per side, as a fraction, of the windows hashed: every combination for the four sides. */
export const CROP_STEPS = [0, 0.035, 0.07, 0.105] as const;
export const SIGNATURE_VERSION = 1;

/** Bits per hash. */
export const HASH_BITS = KEPT_FREQUENCIES * KEPT_FREQUENCIES - 1;
export const WORDS_PER_HASH = Math.ceil(HASH_BITS / 32);

/** A reference's signature as stored (JSON): every window's hash, concatenated, in base64. */
export interface StoredReferenceSignature {
  version: typeof SIGNATURE_VERSION;
  windows: string;
}

/** A reference's signature as compared: WORDS_PER_HASH words per window, in the order of SIGNATURE_WINDOWS. */
export interface ReferenceSignature {
  windows: Uint32Array;
}

/** A generated image's hash: only its whole frame, since the reference's windows carry the crops. */
export type ImageHash = Uint32Array;

export interface SignatureWindow extends Window {
  mirrored: boolean;
}

function plainWindows(): Window[] {
  const windows: Window[] = [];
  for (const left of CROP_STEPS)
    for (const right of CROP_STEPS)
      for (const top of CROP_STEPS) for (const bottom of CROP_STEPS) windows.push({ left, top, right: 1 - right, bottom: 1 - bottom });
  return windows;
}

const PLAIN_WINDOWS = plainWindows();
/** Every window hashed: the plain ones (the first is the whole frame), then the same ones mirrored. */
export const SIGNATURE_WINDOWS: readonly SignatureWindow[] = [
  ...PLAIN_WINDOWS.map((window) => ({ ...window, mirrored: false })),
  ...PLAIN_WINDOWS.map((window) => ({ ...window, mirrored: true })),
];

function windowCoefficients(table: LumaTable, window: Window): Float64Array {
  return dctCoefficients(equalise(sampleWindow(table, window, GRID_SIZE)), GRID_SIZE, KEPT_FREQUENCIES);
}

/** The hash of a generated image's whole frame: one pass over its pixels and one small grid. */
export function computeImageHash(image: RawImage): ImageHash {
  return hashBits(windowCoefficients(lumaTable(image), { left: 0, top: 0, right: 1, bottom: 1 }));
}

/** A reference's signature: one pass over its pixels, then a small grid per plain window. */
export function computeReferenceSignature(image: RawImage): ReferenceSignature {
  const table = lumaTable(image);
  const windows = new Uint32Array(SIGNATURE_WINDOWS.length * WORDS_PER_HASH);
  const mirroredStart = PLAIN_WINDOWS.length * WORDS_PER_HASH;
  PLAIN_WINDOWS.forEach((window, index) => {
    const coefficients = windowCoefficients(table, window);
    windows.set(hashBits(coefficients), index * WORDS_PER_HASH);
    windows.set(hashBits(mirrorCoefficients(coefficients, KEPT_FREQUENCIES)), mirroredStart + index * WORDS_PER_HASH);
  });
  return { windows };
}

export function storeReferenceSignature(signature: ReferenceSignature): StoredReferenceSignature {
  // Little-endian whatever the machine's byte order, so a stored signature reads back anywhere.
  const bytes = Buffer.alloc(signature.windows.length * 4);
  signature.windows.forEach((word, index) => bytes.writeUInt32LE(word, index * 4));
  return { version: SIGNATURE_VERSION, windows: bytes.toString('base64') };
}

/**
 * Reads a stored signature back, refusing anything of another version or shape: a signature
 * made with another window grid would compare windows that no longer line up.
 */
export function loadReferenceSignature(stored: unknown): ReferenceSignature {
  const candidate = stored as Partial<StoredReferenceSignature> | null;
  const expectedBytes = SIGNATURE_WINDOWS.length * WORDS_PER_HASH * 4;
  const bytes =
    typeof candidate === 'object' && candidate !== null && candidate.version === SIGNATURE_VERSION && typeof candidate.windows === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(candidate.windows)
      ? Buffer.from(candidate.windows, 'base64')
      : undefined;
  if (!bytes || bytes.length !== expectedBytes) throw new Error(`not a version ${SIGNATURE_VERSION} reference signature`);
  const windows = new Uint32Array(expectedBytes / 4);
  for (let index = 0; index < windows.length; index++) windows[index] = bytes.readUInt32LE(index * 4);
  return { windows };
}
