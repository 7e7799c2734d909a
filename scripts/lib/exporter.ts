import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generationLogMd,
  generationParametersJson,
  imagePath,
  imagePromptsJson,
  qualityScoresCsv,
  succeeded,
  type ExportInput,
} from '../../functions/core/export-format.js';
import type { ApiClient, RunStatus } from './api-client.js';

export interface ExportResult {
  dir: string;
  input: ExportInput;
  images: number;
}

/** Fetches a finished run through the API and writes it in the workshop's layout. */
export async function exportRun(client: ApiClient, status: RunStatus, dir: string, versions: Record<string, string>): Promise<ExportResult> {
  const { run, prompts, thresholds } = await client.getPrompts(status.runId);
  const input: ExportInput = { run, prompts, thresholds, report: status.report, counts: status.counts, quality: status.quality, exportedAt: new Date().toISOString(), versions };
  await Promise.all(['metadata', 'documentation', ...run.categories.map((c) => join('generated_images', c))].map((sub) => mkdir(join(dir, sub), { recursive: true })));

  const withImages = prompts.filter(succeeded);
  const queue = [...withImages];
  const worker = async () => {
    for (let prompt = queue.shift(); prompt; prompt = queue.shift()) {
      await writeFile(join(dir, imagePath(prompt)), await client.getImage(run.runId, prompt.promptId));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));

  await Promise.all([
    writeFile(join(dir, 'metadata', 'image_prompts.json'), imagePromptsJson(prompts)),
    writeFile(join(dir, 'metadata', 'generation_parameters.json'), generationParametersJson(input)),
    writeFile(join(dir, 'metadata', 'quality_scores.csv'), qualityScoresCsv(prompts)),
    writeFile(join(dir, 'documentation', 'generation_log.md'), generationLogMd(input)),
  ]);
  return { dir, input, images: withImages.length };
}
