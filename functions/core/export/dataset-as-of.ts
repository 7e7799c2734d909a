/**
 * The moment a dataset describes: the latest change to any of its records (creation, an image,
 * an assessment, a review). Written as `exportedAt`, so two exports of the same state, through
 * the CLI or the api's zip, are the same files byte for byte.
 */
import type { ExportedPrompt } from './export-model.js';
import type { RunRecord } from '../runs/index.js';

export function datasetAsOf(run: Pick<RunRecord, 'createdAt'>, prompts: Array<Pick<ExportedPrompt, 'generatedAt' | 'assessedAt' | 'review'>>): string {
  let latest = Date.parse(run.createdAt);
  for (const prompt of prompts) {
    for (const time of [prompt.generatedAt, prompt.assessedAt, prompt.review?.reviewedAt]) {
      const parsed = time ? Date.parse(time) : NaN;
      if (parsed > latest) latest = parsed;
    }
  }
  return new Date(latest).toISOString();
}
