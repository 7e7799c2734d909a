/**
 * The privacy guard applied to one generated image: its hash against the stored signatures of
 * the references that guided its prompt, and the outcome recorded with its assessment. Pure.
 *
 * Fail-closed: an image whose references cannot all be compared (one was deleted, or its stored
 * signature is of another version) is `unscreened`, never `clear`. It cannot be shown not to copy
 * the missing reference, so it is treated like a copy: not usable, never exported.
 */
import { loadReferenceSignature, type ImageHash, type ReferenceSignature } from './image-signature.js';
import { findCopiedReference } from './near-copy.js';

interface ScreeningBase {
  /** The object generation screened, as recorded with the assessment. */
  generation: string;
  /** The references the prompt named, each compared (or found missing). */
  referenceIds: string[];
}

export type ReferenceScreening =
  | (ScreeningBase & { outcome: 'clear' })
  | (ScreeningBase & {
      outcome: 'copy';
      /** The reference the image is closest to among those it is a near copy of. */
      referenceId: string;
      distance: number;
      similarity: number;
      reason: string;
    })
  | (ScreeningBase & { outcome: 'unscreened'; missing: string[]; reason: string });

/** The references a prompt names: absent or empty means none; repeats count once. */
export const referenceIdsOf = (prompt: { referenceIds?: readonly string[] | null }): string[] => [...new Set(prompt.referenceIds ?? [])];

/**
 * Screens an image against its references. `stored` maps each reference id to its record's stored
 * signature, or null when the reference no longer exists. A copy found among the references that
 * remain is reported as a copy even if another is missing: it is the stronger finding.
 */
export function screenImage(image: ImageHash, referenceIds: readonly string[], stored: ReadonlyMap<string, unknown>, generation: string): ReferenceScreening {
  const ids = [...new Set(referenceIds)];
  const signatures = new Map<string, ReferenceSignature>();
  const missing: string[] = [];
  for (const referenceId of ids) {
    const signature = stored.get(referenceId);
    if (signature === undefined || signature === null) {
      missing.push(referenceId);
      continue;
    }
    try {
      signatures.set(referenceId, loadReferenceSignature(signature));
    } catch {
      // A signature of another version cannot be compared: as good as missing, so fail closed.
      missing.push(referenceId);
    }
  }
  const copied = findCopiedReference(image, signatures);
  if (copied) {
    const { distance, similarity, reason } = copied.verdict;
    return { outcome: 'copy', generation, referenceIds: ids, referenceId: copied.referenceId, distance, similarity, reason };
  }
  if (missing.length > 0) {
    return { outcome: 'unscreened', generation, referenceIds: ids, missing, reason: `could not be screened: reference ${missing.join(', ')} no longer exists or has no readable signature` };
  }
  return { outcome: 'clear', generation, referenceIds: ids };
}

/**
 * An image guided by references that has no `clear` screening: a near copy, an image that could
 * not be screened, or one not assessed yet. It never leaves the project, whatever the options.
 */
export function isWithheld(prompt: { referenceIds?: readonly string[] | null; referenceScreening?: ReferenceScreening | null }): boolean {
  return referenceIdsOf(prompt).length > 0 && prompt.referenceScreening?.outcome !== 'clear';
}

/**
 * The issue flag of an assessed image: `copies_reference` for a near copy; `unscreened_reference`
 * when its prompt names references but it was not shown clear of them (one was missing, or no
 * screening was recorded).
 */
export function screeningFlag(prompt: { referenceIds?: readonly string[] | null; referenceScreening?: ReferenceScreening | null }): 'copies_reference' | 'unscreened_reference' | null {
  if (prompt.referenceScreening?.outcome === 'copy') return 'copies_reference';
  return isWithheld(prompt) ? 'unscreened_reference' : null;
}
