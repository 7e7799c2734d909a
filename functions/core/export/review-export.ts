/**
 * The human review's part of an export beyond relevance and inappropriate: the seed's other two
 * checks and the cohort's own labels, as text cells that keep one type in every row (an unset value
 * is "", never null, so the Hugging Face loader types each column the same in every split).
 */
import type { ExportedPrompt } from './export-model.js';

type Reviewed = Pick<ExportedPrompt, 'review'>;

export const culturalSensitivityText = (prompt: Reviewed): string => prompt.review?.culturalSensitivity ?? '';

export function yesNo(value: boolean | null | undefined): string {
  return value == null ? '' : value ? 'yes' : 'no';
}

export const scenarioAlignedText = (prompt: Reviewed): string => yesNo(prompt.review?.scenarioAligned);

/** Every label key used on any image, sorted: the label columns. */
export function labelKeysOf(prompts: readonly Reviewed[]): string[] {
  return [...new Set(prompts.flatMap((prompt) => Object.keys(prompt.review?.labels ?? {})))].sort();
}

/** A yes/no label as yes/no, a choice as itself, an unset one as "". */
export function labelText(prompt: Reviewed, key: string): string {
  const labels = prompt.review?.labels;
  const value = labels && Object.hasOwn(labels, key) ? labels[key] : null;
  return typeof value === 'boolean' ? yesNo(value) : (value ?? '');
}
