/**
 * What an export says about the reference photographs that guided a run. References never leave:
 * the files list their ids, never their content, and the card says how copies were screened.
 */
import type { ExportedPrompt } from './export-model.js';

/** The distinct reference ids that guided any prompt of the dataset, sorted. */
export function referenceIdsOf(prompts: readonly Pick<ExportedPrompt, 'referenceIds'>[]): string[] {
  return [...new Set(prompts.flatMap((prompt) => prompt.referenceIds ?? []))].sort();
}

/**
 * One sentence for the card and the Croissant description; null when no reference guided the run.
 * The screening it names is the privacy guard's (core/references): a near copy is flagged
 * `copies_reference` and is not usable, so it is left out of the splits.
 */
export function referenceStatement(prompts: readonly Pick<ExportedPrompt, 'referenceIds'>[]): string | null {
  const count = referenceIdsOf(prompts).length;
  if (count === 0) return null;
  return (
    `${count} reference photograph${count === 1 ? '' : 's'} guided this run's prompts (their ids are listed per image in metadata/image_prompts.json); ` +
    `none is included in this dataset. Each image was compared with the references that guided it; near copies are flagged copies_reference and left out.`
  );
}

/** The metadata.jsonl column: ids separated by spaces, "" when none, so the column keeps one type in every row (see hf-metadata.ts). */
export const referenceColumn = (prompt: Pick<ExportedPrompt, 'referenceIds'>): string => (prompt.referenceIds ?? []).join(' ');
