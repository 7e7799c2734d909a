/** The data an export is made from, and the small facts about it that every output file shares. */
import type { IssueFlag, Thresholds } from '../quality/index.js';
import type { RunReport } from '../quality/index.js';
import type { PromptRecord, QualitySummary, RunRecord, StatusCounts } from '../runs/index.js';
import type { DatasetOptions } from './dataset-options.js';
import { isWithheld } from '../references/index.js';

export type ExportedPrompt = Omit<PromptRecord, 'leaseOwner' | 'leaseExpiresAt' | 'assessedGeneration'> & {
  issues: IssueFlag[];
  /** Flags the prompt asked for (a night scene's `dark`); absent from older exports. */
  expected?: IssueFlag[];
  duplicateOf: string | null;
};

export interface ExportInput {
  run: RunRecord;
  prompts: ExportedPrompt[];
  counts: StatusCounts;
  quality: QualitySummary;
  thresholds: Thresholds;
  report: RunReport | null;
  exportedAt: string;
  versions: Record<string, string>;
  /** Splits, exclusions and licence; DEFAULT_DATASET_OPTIONS when omitted. */
  dataset?: DatasetOptions;
  /**
   * sha256 (hex) of each image file by its dataset path. The writer hashes the bytes it copies and
   * passes them in, so croissant.json can list a checksum for every image and stay a pure format.
   */
  imageSha256?: ReadonlyMap<string, string>;
  /**
   * The revisions of `run` (which is then the lineage's first run), each with its prompts: the
   * dataset takes one version per slot and lists them all (lineage-export.ts).
   */
  lineage?: { revisions: Array<{ run: RunRecord; prompts: ExportedPrompt[] }> };
  /** Prompt ids whose image had already been deleted from storage (missing-images.ts); none when omitted. */
  missingImages?: string[];
}

export const imagePath = (prompt: Pick<PromptRecord, 'category' | 'promptId'>): string =>
  `generated_images/${prompt.category}/${prompt.promptId}.png`;

/** Succeeded means an image exists: assessed, or generated but not yet assessed. */
export const succeeded = (prompt: ExportedPrompt): boolean => prompt.status === 'assessed' || prompt.status === 'generated';

/** In the dataset: an image exists and the privacy guard does not withhold it (withheld-images.ts). */
export const exported = (prompt: ExportedPrompt): boolean => succeeded(prompt) && !isWithheld(prompt);

export function failureReasonOf(prompt: ExportedPrompt): string {
  if (prompt.status === 'failed') return prompt.failureReason ?? 'unknown';
  return `unfinished: still ${prompt.status} when exported`;
}

export function timings(input: Pick<ExportInput, 'run' | 'prompts'>) {
  const times = (pick: (p: ExportedPrompt) => string | null) => input.prompts.map(pick).filter((t): t is string => t !== null).map(Date.parse);
  const finished = [...times((p) => p.assessedAt), ...times((p) => p.generatedAt)];
  const created = Date.parse(input.run.createdAt);
  const lastFinished = finished.length ? Math.max(...finished) : null;
  const renders = input.prompts.map((p) => p.renderMs).filter((ms): ms is number => ms !== null);
  return {
    createdAt: input.run.createdAt,
    finishedAt: lastFinished === null ? null : new Date(lastFinished).toISOString(),
    wallSeconds: lastFinished === null ? null : Math.round((lastFinished - created) / 100) / 10,
    meanRenderMs: renders.length ? Math.round(renders.reduce((a, b) => a + b, 0) / renders.length) : null,
  };
}

export function perCategory(prompts: ExportedPrompt[]): Record<string, { succeeded: number; failed: number }> {
  // A Map, then an object with own keys only: `constructor` is an ordinary category name.
  const out = new Map<string, { succeeded: number; failed: number }>();
  for (const prompt of prompts) {
    const entry = out.get(prompt.category) ?? { succeeded: 0, failed: 0 };
    out.set(prompt.category, entry);
    if (succeeded(prompt)) entry.succeeded += 1;
    else entry.failed += 1;
  }
  return Object.fromEntries(out);
}
