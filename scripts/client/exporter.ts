import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { DatasetOptions } from '../../functions/core/export/index.js';
import { isPlainRelativePath, unsafePathComponent } from '../../functions/core/export/index.js';
import { datasetAsOf } from '../../functions/core/export/index.js';
import { datasetFiles, succeeded, withoutMissingImages, type ExportInput } from '../../functions/core/export/index.js';
import { ApiError, type ApiClient, type RunStatus } from './api-client.js';

export interface ExportResult {
  dir: string;
  input: ExportInput;
  images: number;
  /** Prompt ids whose image the api no longer has (deleted after the retention period): left out and listed in the dataset. */
  missing: string[];
}

export class UnsafeExportError extends Error {
  override name = 'UnsafeExportError';
}

/**
 * Where a dataset file goes: inside `dir`, always. The server's answers name the files, so a
 * compromised server must not be able to write anywhere else.
 */
export function resolveInside(dir: string, path: string): string {
  const root = resolve(dir);
  const target = resolve(root, path);
  const inside = relative(root, target);
  if (!isPlainRelativePath(path) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new UnsafeExportError(`refusing to write ${JSON.stringify(path)}: it is not a plain path inside ${root}`);
  }
  return target;
}

/**
 * Fetches a finished run through the API and writes the formatter's files under `dir`. A run of a
 * lineage exports the whole lineage: its first run's slots, each with its chosen version.
 */
export async function exportRun(client: ApiClient, status: RunStatus, dir: string, versions: Record<string, string>, dataset?: DatasetOptions): Promise<ExportResult> {
  const lineage = await client.getLineage(status.runId);
  const rootStatus = lineage.rootRunId === status.runId ? status : await client.getRun(lineage.rootRunId);
  const parts = await Promise.all([lineage.rootRunId, ...lineage.runIds.filter((id) => id !== lineage.rootRunId)].map((id) => client.getPrompts(id)));
  // Every component the server sent is checked before a single file is written.
  for (const { run, prompts } of parts) {
    const unsafe = unsafePathComponent(run?.runId, Array.isArray(prompts) ? prompts : [{ category: undefined, promptId: undefined }]);
    if (unsafe) throw new UnsafeExportError(`the server sent an unsafe ${unsafe}; nothing was written`);
  }
  const [{ run, prompts, thresholds }, ...revisions] = parts as [(typeof parts)[number], ...typeof parts];
  const everyPrompt = parts.flatMap((part) => part.prompts);
  // The stored run report is taken when the run completes; the spot check follows the reviews made since, as the api's zip does.
  const report = rootStatus.report && run.seed !== undefined ? { ...rootStatus.report, spotCheck: await client.getSpotCheck(lineage.rootRunId) } : rootStatus.report;
  const base: ExportInput = {
    run, prompts, thresholds, report, counts: rootStatus.counts, quality: rootStatus.quality, exportedAt: datasetAsOf(run, everyPrompt), versions, dataset,
    ...(revisions.length ? { lineage: { revisions: revisions.map((part) => ({ run: part.run, prompts: part.prompts })) } } : {}),
  };
  const files = datasetFiles(base).map((file) => ({ file, target: resolveInside(dir, file.path) }));
  await Promise.all([...new Set(files.map(({ target }) => dirname(target)))].map((sub) => mkdir(sub, { recursive: true })));

  // Images first, hashed as they are written, so croissant.json can list every image's sha256.
  const imageSha256 = new Map<string, string>();
  const missing = new Set<string>();
  // Images are fetched eight at a time: enough to hide latency without flooding a shared api.
  const queue = files.flatMap(({ file, target }) => ('image' in file ? [{ file, target }] : []));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { file, target } = next;
      const body = await client.getImage(file.image.runId, file.image.promptId).catch((error: unknown) => {
        // Gone after the retention period: the dataset is made without it and says so.
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      });
      if (!body) {
        missing.add(file.image.promptId);
        continue;
      }
      imageSha256.set(file.path, createHash('sha256').update(body).digest('hex'));
      await writeFile(target, body);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const input: ExportInput = withoutMissingImages({ ...base, imageSha256 }, missing);
  for (const file of datasetFiles(input)) if ('text' in file) await writeFile(resolveInside(dir, file.path), file.text);
  return { dir, input, images: input.prompts.filter(succeeded).length, missing: [...missing].sort() };
}
