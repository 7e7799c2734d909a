import type { RawImage } from '../core/quality/index.js';
import type { ReferenceStore } from '../core/ports.js';
import { computeImageHash, referenceIdsOf, screenImage, type ReferenceScreening } from '../core/references/index.js';
import type { PromptRecord } from '../core/runs/index.js';

/**
 * The privacy guard's step of an assessment: the image's hash from the pixels the metrics were
 * computed on (no second decode), against the stored signature of each reference its prompt names.
 * Undefined when the prompt names none. Without a reference store every reference counts as
 * missing, so the image is recorded unscreened rather than clear. A store error throws: retried.
 */
export async function screenReferences(
  references: Pick<ReferenceStore, 'get'> | undefined,
  prompt: Pick<PromptRecord, 'referenceIds'>,
  image: RawImage,
  generation: string,
): Promise<ReferenceScreening | undefined> {
  const ids = referenceIdsOf(prompt);
  if (ids.length === 0) return undefined;
  const records = await Promise.all(ids.map((referenceId) => (references ? references.get(referenceId) : null)));
  const stored = new Map(ids.map((referenceId, index) => [referenceId, records[index]?.signature ?? null]));
  return screenImage(computeImageHash(image), ids, stored, generation);
}
