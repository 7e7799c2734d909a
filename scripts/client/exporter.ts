import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DatasetOptions } from '../../functions/core/dataset-options.js';
import { datasetFiles, succeeded, type ExportInput } from '../../functions/core/export-format.js';
import type { ApiClient, RunStatus } from './api-client.js';

export interface ExportResult {
  dir: string;
  input: ExportInput;
  images: number;
}

/** Fetches a finished run through the API and writes the formatter's files under `dir`. */
export async function exportRun(client: ApiClient, status: RunStatus, dir: string, versions: Record<string, string>, dataset?: DatasetOptions): Promise<ExportResult> {
  const { run, prompts, thresholds } = await client.getPrompts(status.runId);
  const base: ExportInput = { run, prompts, thresholds, report: status.report, counts: status.counts, quality: status.quality, exportedAt: new Date().toISOString(), versions, dataset };
  const files = datasetFiles(base);
  await Promise.all([...new Set(files.map((file) => dirname(join(dir, file.path))))].map((sub) => mkdir(sub, { recursive: true })));

  // Images first, hashed as they are written, so croissant.json can list every image's sha256.
  const imageSha256 = new Map<string, string>();
  // Images are fetched eight at a time: enough to hide latency without flooding a shared api.
  const queue = files.flatMap((file) => ('image' in file ? [file] : []));
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const body = await client.getImage(file.image.runId, file.image.promptId);
      imageSha256.set(file.path, createHash('sha256').update(body).digest('hex'));
      await writeFile(join(dir, file.path), body);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const input: ExportInput = { ...base, imageSha256 };
  for (const file of datasetFiles(input)) if ('text' in file) await writeFile(join(dir, file.path), file.text);
  return { dir, input, images: prompts.filter(succeeded).length };
}
