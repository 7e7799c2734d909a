/**
 * The privacy guard's decision: is a generated image a near copy of a reference? The generated
 * image's frame hash is compared with every window of the reference (plain and mirrored), and
 * the closest window decides. Pure and cheap: the reference's signature was computed when it was
 * stored, so checking an image against k references costs k × 512 hash comparisons.
 */
import { hammingDistance } from './dct-hash.js';
import { HASH_BITS, SIGNATURE_WINDOWS, WORDS_PER_HASH, type ImageHash, type ReferenceSignature, type SignatureWindow } from './image-signature.js';

/**
 * At most this many of the 255 bits may differ for a near copy. Chosen from the measured set
 * (docs/references.md): the transformed copies stay well below it, unrelated photographs well above.
 */
export const NEAR_COPY_MAX_DISTANCE = 74;

export interface NearCopyVerdict {
  nearCopy: boolean;
  /** Differing bits between the image and the closest window of the reference. */
  distance: number;
  /** 1 − distance / bits: 1 for identical hashes; unrelated photographs measured at most 0.65 (the closest of 512 windows). */
  similarity: number;
  /** The closest window of the reference: its crop per side and whether it is mirrored. */
  window: SignatureWindow;
  /** A sentence for logs and the gallery. */
  reason: string;
}

function describe(window: SignatureWindow): string {
  const crop = [window.left, window.top, 1 - window.right, 1 - window.bottom].map((side) => `${Math.round(side * 1000) / 10}%`).join('/');
  return `${window.mirrored ? 'mirrored ' : ''}reference cropped ${crop} (left/top/right/bottom)`;
}

export function compareWithReference(image: ImageHash, reference: ReferenceSignature): NearCopyVerdict {
  let best = Number.POSITIVE_INFINITY;
  let bestIndex = 0;
  for (let index = 0; index < SIGNATURE_WINDOWS.length; index++) {
    const distance = hammingDistance(image, reference.windows, index * WORDS_PER_HASH);
    if (distance < best) [best, bestIndex] = [distance, index];
  }
  const window = SIGNATURE_WINDOWS[bestIndex];
  const nearCopy = best <= NEAR_COPY_MAX_DISTANCE;
  const verdict = nearCopy ? 'near copy of' : 'not a copy of';
  return {
    nearCopy,
    distance: best,
    similarity: 1 - best / HASH_BITS,
    window,
    reason: `${verdict} the reference: ${best} of ${HASH_BITS} hash bits differ from the ${describe(window)} (a near copy differs by at most ${NEAR_COPY_MAX_DISTANCE})`,
  };
}

export interface CopiedReference {
  referenceId: string;
  verdict: NearCopyVerdict;
}

/**
 * The reference an image copies, if any: of those it is a near copy of, the closest, so the flag
 * names the one the image is most like. `references` are the ones that guided the image's prompt.
 */
export function findCopiedReference(image: ImageHash, references: ReadonlyMap<string, ReferenceSignature>): CopiedReference | undefined {
  let closest: CopiedReference | undefined;
  for (const [referenceId, reference] of references) {
    const verdict = compareWithReference(image, reference);
    if (verdict.nearCopy && (!closest || verdict.distance < closest.verdict.distance)) closest = { referenceId, verdict };
  }
  return closest;
}
