/** The data an export is made from, and the small facts about it that every output file shares. */
import type { IssueFlag, Thresholds } from './quality.js';
import type { RunReport } from './quality-report.js';
import type { PromptRecord, QualitySummary, RunRecord, StatusCounts } from './run-model.js';

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
}

export const imagePath = (prompt: Pick<PromptRecord, 'category' | 'promptId'>): string =>
  `generated_images/${prompt.category}/${prompt.promptId}.png`;

/** Succeeded means an image exists: assessed, or generated but not yet assessed. */
export const succeeded = (prompt: ExportedPrompt): boolean => prompt.status === 'assessed' || prompt.status === 'generated';

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
  const out: Record<string, { succeeded: number; failed: number }> = {};
  for (const prompt of prompts) {
    const entry = (out[prompt.category] ??= { succeeded: 0, failed: 0 });
    if (succeeded(prompt)) entry.succeeded += 1;
    else entry.failed += 1;
  }
  return out;
}
