/**
 * The workshop's dataset layout, as pure functions from run data to file contents.
 * The writer in scripts/client/exporter.ts only fetches and saves.
 */
import { escapeMarkdown, generationLogMd } from './generation-log.js';
import { judgeJson } from './judge-export.js';
import { qualityScoresCsv } from './quality-scores-csv.js';
import { exported, failureReasonOf, imagePath, perCategory, succeeded, timings, type ExportedPrompt, type ExportInput } from './export-model.js';
import { withheldEntry } from './withheld-images.js';
import { splitEntry, withDatasetPackaging } from './dataset-packaging.js';
import { datasetOptionsOf, splitPlanOf } from './export-splits.js';
import type { SplitPlan } from './splits.js';
import { resolveLineage, revisionLogLines, revisionParameters, type ResolvedLineage } from './lineage-export.js';
import type { SlotVersion } from '../revisions/index.js';

export * from './export-model.js';
export { escapeMarkdown, generationLogMd } from './generation-log.js';
export { qualityScoresCsv } from './quality-scores-csv.js';

/**
 * Every prompt, or with `versions` every version of every slot: only a slot's chosen version with an
 * image is in the dataset (`inDataset`), and only it has a file and a split.
 */
export function imagePromptsJson(prompts: ExportedPrompt[], plan?: SplitPlan, versions?: ReadonlyArray<SlotVersion<ExportedPrompt>>, judgeOn = false): string {
  const listed = versions ?? prompts.map((prompt) => ({ prompt, version: prompt.version ?? 1, replaces: prompt.replaces ?? null, replacedBy: [], chosen: true }));
  const entries = listed.map(({ prompt, version, replaces, replacedBy, chosen }) => ({
    id: prompt.promptId,
    runId: prompt.runId,
    version,
    replaces,
    replacedBy,
    inDataset: chosen && exported(prompt),
    category: prompt.category,
    prompt: prompt.prompt,
    variables: prompt.variables,
    seed: prompt.seed,
    // Ids only: a reference's content never leaves the references bucket.
    referenceIds: prompt.referenceIds ?? [],
    status: succeeded(prompt) ? 'succeeded' : 'failed',
    ...(succeeded(prompt) ? { ...(chosen && exported(prompt) ? { file: imagePath(prompt) } : {}), model: prompt.model, ...withheldEntry(prompt) } : { failureReason: failureReasonOf(prompt) }),
    issues: prompt.issues,
    expected: prompt.expected ?? [],
    duplicateOf: prompt.duplicateOf,
    review: prompt.review ?? null,
    ...(plan && chosen && exported(prompt) ? splitEntry(plan, prompt.promptId) : {}),
    judge: judgeJson(prompt, judgeOn),
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
  // A lineage is one dataset: one version per slot, each image read from the run that made it.
  const resolved = resolveLineage(input);
  const { dataset } = resolved;
  // With the judge on, every succeeded image has a verdict, a failure reason or "pending": never a silent null.
  const judgeOn = dataset.run.judge === 'gemini';
  const images: DatasetFile[] = dataset.prompts.filter(exported).map((prompt) => ({ path: imagePath(prompt), image: { runId: prompt.runId, promptId: prompt.promptId } }));
  return [
    ...images,
    // The Hugging Face metadata, the dataset card and croissant.json follow the workshop's files.
    ...withDatasetPackaging(dataset, [
      { path: 'metadata/image_prompts.json', text: imagePromptsJson(dataset.prompts, splitPlanOf(dataset), resolved.view.versions, judgeOn) },
      { path: 'metadata/generation_parameters.json', text: generationParametersJson(dataset, resolved) },
      { path: 'metadata/quality_scores.csv', text: qualityScoresCsv(dataset.prompts, judgeOn) },
      { path: 'documentation/generation_log.md', text: generationLogMd(dataset, revisionLogLines(resolved, escapeMarkdown)) },
    ]),
  ];
}

export function generationParametersJson(input: ExportInput, lineage?: ResolvedLineage): string {
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
      ...(lineage?.revisions.length ? { revisions: revisionParameters(lineage.revisions) } : {}),
      ...(input.missingImages?.length ? { missingImages: input.missingImages } : {}),
    },
    null,
    2,
  )}\n`;
}
