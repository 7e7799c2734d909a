/**
 * The files that make an export a dataset for the next ML step, added beside the workshop
 * layout: Hugging Face metadata per split, the dataset card, and croissant.json last, because it
 * lists a checksum of every file before it.
 */
import { croissantJson } from './croissant.js';
import { datasetCardMd } from './dataset-card.js';
import type { ExportInput } from './export-model.js';
import { splitPlanOf } from './export-splits.js';
import { metadataFiles } from './hf-metadata.js';
import type { SplitPlan } from './splits.js';

type TextFile = { path: string; text: string };

export function withDatasetPackaging(input: ExportInput, workshopFiles: TextFile[]): TextFile[] {
  const plan = splitPlanOf(input);
  const files = [...workshopFiles, ...metadataFiles(input, plan), { path: 'README.md', text: datasetCardMd(input) }];
  return [...files, { path: 'croissant.json', text: croissantJson(input, files) }];
}

/** What image_prompts.json adds per image: its split, or why it is in none. */
export function splitEntry(plan: SplitPlan, promptId: string): { split: string | null; excluded?: string[] } {
  const excluded = plan.excluded.get(promptId);
  return excluded ? { split: null, excluded } : { split: plan.splitOf.get(promptId) ?? null };
}
