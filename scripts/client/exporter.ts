import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { datasetAsOf } from '../../functions/core/dataset-as-of.js';
import { datasetFiles, succeeded, type ExportInput } from '../../functions/core/export-format.js';
import type { ApiClient, RunStatus } from './api-client.js';

export interface ExportResult {
  dir: string;
  input: ExportInput;
  images: number;
}

/** Fetches a finished run through the API and writes the formatter's files under `dir`. */
export async function exportRun(client: ApiClient, status: RunStatus, dir: string, versions: Record<string, string>): Promise<ExportResult> {
  const { run, prompts, thresholds } = await client.getPrompts(status.runId);
  const input: ExportInput = { run, prompts, thresholds, report: status.report, counts: status.counts, quality: status.quality, exportedAt: datasetAsOf(run, prompts), versions };
  const files = datasetFiles(input);
  await Promise.all([...new Set(files.map((file) => dirname(join(dir, file.path))))].map((sub) => mkdir(sub, { recursive: true })));

  // Images are fetched eight at a time: enough to hide latency without flooding a shared api.
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const body = 'text' in file ? file.text : await client.getImage(file.image.runId, file.image.promptId);
      await writeFile(join(dir, file.path), body);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { dir, input, images: prompts.filter(succeeded).length };
}
