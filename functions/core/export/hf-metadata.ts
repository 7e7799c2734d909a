/**
 * Hugging Face `imagefolder` metadata beside the workshop layout: generated_images/metadata.jsonl
 * with every image, and one metadata_{split}.jsonl per split that the card's `configs` point at.
 *
 * Why one file per split: when every split lists the same metadata file, `datasets` gives each split
 * all of its rows. Why no nulls and no empty lists: `datasets` infers each split file's schema
 * from its rows and refuses splits whose schemas differ, and Arrow types a column that is only
 * null (or only []) as null. So every column keeps one type in every row: issues are one boolean
 * per flag, an unrated review has relevance 0, and a missing caption, variable, check or label is "".
 */
import { SPLIT_NAMES, type SplitName } from './dataset-options.js';
import { exported, imagePath, type ExportedPrompt, type ExportInput } from './export-model.js';
import { splitPlanOf } from './export-splits.js';
import { ISSUE_FLAGS } from '../quality/index.js';
import type { SplitPlan } from './splits.js';
import { usableVerdict } from '../runs/index.js';
import { referenceColumn, referenceIdsOf } from './reference-export.js';
import { culturalSensitivityText, labelKeysOf, labelText, scenarioAlignedText } from './review-export.js';

export interface MetadataRow {
  file_name: string;
  id: string;
  label: string;
  prompt: string;
  caption?: string;
  /** Ids of the reference photographs that guided the image, space-separated; only in a run that had any. */
  reference_ids?: string;
  variables: Record<string, string>;
  issues: Record<string, boolean>;
  usable: boolean;
  review: { relevance: number; inappropriate: boolean; note: string; reviewedBy: string; culturalSensitivity: string; scenarioAligned: string };
  /** The cohort's labels by key ("" when unset); present when any image has one. */
  labels?: Record<string, string>;
  split: SplitName | 'excluded';
  exclusion: string;
}

/** The judge's caption, when the image was judged and the verdict passed the schema. */
export function captionOf(prompt: ExportedPrompt): string | null {
  return prompt.judge?.status === 'judged' ? (prompt.judge.answer?.caption ?? null) : null;
}

export const splitMetadataPath = (split: SplitName): string => `generated_images/metadata_${split}.jsonl`;

export function metadataRows(input: ExportInput, plan: SplitPlan = splitPlanOf(input)): MetadataRow[] {
  const images = input.prompts.filter(exported).sort((a, b) => (a.promptId < b.promptId ? -1 : 1));
  const axes = [...new Set(images.flatMap((p) => Object.keys(p.variables)))].sort();
  const flags = [...new Set([...ISSUE_FLAGS, ...images.flatMap((p) => p.issues)])];
  const judged = images.some((p) => captionOf(p) !== null);
  const guided = referenceIdsOf(input.prompts).length > 0;
  const labelKeys = labelKeysOf(images);
  return images.map((prompt) => ({
    // Relative to generated_images/, where the metadata files sit, as imagefolder expects.
    file_name: imagePath(prompt).slice('generated_images/'.length),
    id: prompt.promptId,
    label: prompt.category,
    prompt: prompt.prompt,
    ...(judged ? { caption: captionOf(prompt) ?? '' } : {}),
    ...(guided ? { reference_ids: referenceColumn(prompt) } : {}),
    variables: Object.fromEntries(axes.map((axis) => [axis, prompt.variables[axis] ?? ''])),
    issues: Object.fromEntries(flags.map((flag) => [flag, prompt.issues.includes(flag as never)])),
    usable: usableVerdict(prompt).usable,
    review: {
      relevance: prompt.review?.relevance ?? 0,
      inappropriate: prompt.review?.inappropriate ?? false,
      note: prompt.review?.note ?? '',
      reviewedBy: prompt.review?.reviewedBy ?? '',
      culturalSensitivity: culturalSensitivityText(prompt),
      scenarioAligned: scenarioAlignedText(prompt),
    },
    // Label keys are lower-case identifiers (never __proto__), and every row has every key.
    ...(labelKeys.length ? { labels: Object.fromEntries(labelKeys.map((key) => [key, labelText(prompt, key)])) } : {}),
    split: plan.splitOf.get(prompt.promptId) ?? 'excluded',
    exclusion: (plan.excluded.get(prompt.promptId) ?? []).join(', '),
  }));
}

const jsonl = (rows: MetadataRow[]): string => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

/** The full file first, then one per non-empty split: a split with no image has no file and no config. */
export function metadataFiles(input: ExportInput, plan: SplitPlan = splitPlanOf(input)): Array<{ path: string; text: string }> {
  const rows = metadataRows(input, plan);
  return [
    { path: 'generated_images/metadata.jsonl', text: jsonl(rows) },
    ...SPLIT_NAMES.filter((split) => plan.perSplit[split] > 0).map((split) => ({ path: splitMetadataPath(split), text: jsonl(rows.filter((row) => row.split === split)) })),
  ];
}
