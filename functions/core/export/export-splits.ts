/** The export's split plan, from the run and the dataset options, and how the log reports it. */
import { DEFAULT_DATASET_OPTIONS, describePolicy, SPLIT_NAMES, type DatasetOptions } from './dataset-options.js';
import { exported, type ExportedPrompt, type ExportInput } from './export-model.js';
import { planSplits, type SplitPlan } from './splits.js';

export const datasetOptionsOf = (input: Pick<ExportInput, 'dataset'>): DatasetOptions => input.dataset ?? DEFAULT_DATASET_OPTIONS;

/** Deterministic, so every file of one export (and a re-export) agrees on it; the split seed is the run seed. */
export function splitPlanOf(input: Pick<ExportInput, 'run' | 'prompts' | 'dataset'>): SplitPlan {
  const options = datasetOptionsOf(input);
  const images = input.prompts.filter(exported).map((p: ExportedPrompt) => ({ id: p.promptId, category: p.category, issues: p.issues, duplicateOf: p.duplicateOf, review: p.review }));
  return planSplits(images, { ratios: options.split, exclude: options.exclude, seed: input.run.seed });
}

/** A Markdown table of images per category and split, with the exclusions; shared by the log and the card. */
export function splitTableLines(plan: SplitPlan, escape: (text: string) => string): string[] {
  const row = (name: string, c: { train: number; validation: number; test: number; excluded: number }) =>
    `| ${name} | ${c.train} | ${c.validation} | ${c.test} | ${c.excluded} |`;
  const total = { ...plan.perSplit, excluded: plan.excluded.size };
  return ['| category | train | validation | test | excluded |', '|---|---:|---:|---:|---:|', ...[...plan.perCategory].map(([category, counts]) => row(escape(category), counts)), row('**all**', total)];
}

export function exclusionLines(plan: SplitPlan, options: DatasetOptions, escape: (text: string) => string): string[] {
  const policies = options.exclude.length ? options.exclude.map(describePolicy).join('; ') : 'none (only unreadable images are always left out)';
  return [`- Exclusion policy: ${policies}`, ...(plan.excluded.size === 0 ? ['- Excluded: none'] : [...plan.excluded].map(([id, reasons]) => `- ${id} excluded: ${escape(reasons.join(', '))}`))];
}

/** The generation log's section on splits. */
export function splitLogLines(input: ExportInput, escape: (text: string) => string): string[] {
  const options = datasetOptionsOf(input);
  const plan = splitPlanOf(input);
  const ratios = options.split.map((r, i) => `${SPLIT_NAMES[i]} ${Math.round(r * 1000) / 10} %`).join(', ');
  return ['', '## Splits', `- Ratios: ${ratios}, stratified by category, seed ${input.run.seed}; duplicates share a split`, '', ...splitTableLines(plan, escape), '', ...exclusionLines(plan, options, escape)];
}

/** One line for the terminal summary. */
export function splitSummaryLine(input: ExportInput): string {
  const plan = splitPlanOf(input);
  return `  splits: train ${plan.perSplit.train} · validation ${plan.perSplit.validation} · test ${plan.perSplit.test} · excluded ${plan.excluded.size} (see README.md)`;
}
