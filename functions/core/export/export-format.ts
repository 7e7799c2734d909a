/**
 * The workshop's dataset layout, as pure functions from run data to file contents.
 * The writer in scripts/client/exporter.ts only fetches and saves.
 */
import { generationLogMd } from './generation-log.js';
import { judgeJson } from './judge-export.js';
import { qualityScoresCsv } from './quality-scores-csv.js';
import { failureReasonOf, imagePath, perCategory, succeeded, timings, type ExportedPrompt, type ExportInput } from './export-model.js';
import { splitEntry, withDatasetPackaging } from './dataset-packaging.js';
import { datasetOptionsOf, splitPlanOf } from './export-splits.js';
import type { SplitPlan } from './splits.js';

export * from './export-model.js';
export { escapeMarkdown, generationLogMd } from './generation-log.js';
export { qualityScoresCsv } from './quality-scores-csv.js';

export function imagePromptsJson(prompts: ExportedPrompt[], plan?: SplitPlan): string {
  const entries = prompts.map((prompt) => ({
    id: prompt.promptId,
    category: prompt.category,
    prompt: prompt.prompt,
    variables: prompt.variables,
    seed: prompt.seed,
    status: succeeded(prompt) ? 'succeeded' : 'failed',
    ...(succeeded(prompt) ? { file: imagePath(prompt), model: prompt.model } : { failureReason: failureReasonOf(prompt) }),
    issues: prompt.issues,
    expected: prompt.expected ?? [],
    duplicateOf: prompt.duplicateOf,
    review: prompt.review ?? null,
    ...(plan && succeeded(prompt) ? splitEntry(plan, prompt.promptId) : {}),
    judge: judgeJson(prompt),
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** One file of an exported dataset: text made here, or an image the writer copies from storage. */
export type DatasetFile = { path: string; text: string } | { path: string; image: { runId: string; promptId: string } };

/**
 * Every file of a dataset, in order: the one list that the CLI writes, the api zips and any
 * packaging adds to, so no writer lays out files of its own. Paths are relative and POSIX.
 */
export function datasetFiles(input: ExportInput): DatasetFile[] {
  const images: DatasetFile[] = input.prompts.filter(succeeded).map((prompt) => ({ path: imagePath(prompt), image: { runId: input.run.runId, promptId: prompt.promptId } }));
  return [
    ...images,
    // The Hugging Face metadata, the dataset card and croissant.json follow the workshop's files.
    ...withDatasetPackaging(input, [
      { path: 'metadata/image_prompts.json', text: imagePromptsJson(input.prompts, splitPlanOf(input)) },
      { path: 'metadata/generation_parameters.json', text: generationParametersJson(input) },
      { path: 'metadata/quality_scores.csv', text: qualityScoresCsv(input.prompts) },
      { path: 'documentation/generation_log.md', text: generationLogMd(input) },
    ]),
  ];
}

export function generationParametersJson(input: ExportInput): string {
  const ok = input.prompts.filter(succeeded).length;
  return `${JSON.stringify(
    {
      runId: input.run.runId,
      scenario: input.run.scenario,
      provider: input.run.provider,
      model: input.run.model,
      seed: input.run.seed,
      image: input.run.image,
      costEstimate: input.run.costEstimate,
      judge: input.run.judge ?? 'none',
      requestedCount: input.run.count,
      categories: input.run.categories,
      counts: { planned: input.prompts.length, succeeded: ok, failed: input.prompts.length - ok, perCategory: perCategory(input.prompts) },
      timings: timings(input),
      quality: { thresholds: input.thresholds, report: input.report },
      dataset: datasetOptionsOf(input),
      exportedAt: input.exportedAt,
      versions: input.versions,
      ...(input.missingImages?.length ? { missingImages: input.missingImages } : {}),
    },
    null,
    2,
  )}\n`;
}
