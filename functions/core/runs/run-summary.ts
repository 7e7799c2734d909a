/**
 * A completed run's status, computed once and stored on the run document, so every later read
 * of the run is one document read. A run's prompts are all terminal once it completes, so
 * nothing in the summary can change afterwards (reviews are not part of it).
 */
import type { IssueFlag } from '../quality/index.js';
import type { RunReport } from '../quality/index.js';
import { summariseQuality } from './quality-summary.js';
import { runQuality, type PromptQuality } from './run-quality.js';
import type { FailureSummary, PromptRecord, QualitySummary, RunRecord, StatusCounts } from './run-model.js';
import { PROMPT_STATUSES } from './run-model.js';
import { isUnknownOutcome } from './prompt-transitions.js';

/** Failures listed in a status: the first ones by plan order. */
export const FAILURES_LISTED = 100;
/** While a run is running each poll reads at most this many failed prompts. */
export const FAILURES_LISTED_WHILE_RUNNING = 10;

export interface RunSummary {
  counts: StatusCounts;
  failures: FailureSummary[];
  quality: QualitySummary;
  report: RunReport;
  /** Only the prompts with a flag or an original; every other prompt has no issues. */
  flagged: Array<{ promptId: string; issues: IssueFlag[]; expected?: IssueFlag[]; duplicateOf: string | null }>;
  /** Where each image is, so serving a completed run's image or preview needs no read of its prompt. */
  images: Array<{ promptId: string; objectName: string; objectGeneration: string }>;
  /**
   * Model calls that went out and whose outcome was never stored: the prompt (or verdict) ended
   * `unknown_outcome` instead of a second, possibly paid, call. Absent on summaries made before it was counted.
   */
  unknownOutcomes?: { images: number; verdicts: number };
  computedAt: string;
}

export function summariseRun(run: Pick<RunRecord, 'scenario'>, prompts: PromptRecord[], now: number): RunSummary {
  // The spot check depends on reviews, which come after the summary is kept: it is read live (GET …/spot-check) or at export.
  const { byPrompt, report: { spotCheck: _reviewDependent, ...report } } = runQuality(run, prompts);
  const counts = Object.fromEntries(PROMPT_STATUSES.map((status) => [status, 0])) as StatusCounts;
  for (const prompt of prompts) counts[prompt.status] += 1;
  const ordered = [...prompts].sort((a, b) => a.index - b.index);
  return {
    counts,
    failures: ordered
      .filter((prompt) => prompt.status === 'failed')
      .slice(0, FAILURES_LISTED)
      .map((prompt) => ({ promptId: prompt.promptId, category: prompt.category, reason: prompt.failureReason ?? 'unknown' })),
    quality: summariseQuality(ordered.flatMap((prompt) => (prompt.status === 'assessed' && prompt.metrics ? [prompt.metrics] : []))),
    report,
    flagged: [...byPrompt.entries()]
      .filter(([, quality]) => quality.issues.length > 0 || quality.expected.length > 0 || quality.duplicateOf !== null)
      .map(([promptId, quality]) => ({ promptId, issues: quality.issues, expected: quality.expected, duplicateOf: quality.duplicateOf })),
    images: ordered.flatMap((prompt) =>
      prompt.status === 'assessed' && prompt.objectName && prompt.objectGeneration ? [{ promptId: prompt.promptId, objectName: prompt.objectName, objectGeneration: prompt.objectGeneration }] : [],
    ),
    unknownOutcomes: {
      images: prompts.filter((prompt) => prompt.status === 'failed' && isUnknownOutcome(prompt.failureReason)).length,
      verdicts: prompts.filter((prompt) => prompt.judge?.status === 'failed' && isUnknownOutcome(prompt.judge.reason)).length,
    },
    computedAt: new Date(now).toISOString(),
  };
}

/**
 * Stored as one JSON string: a single field to index, no user-named map keys for Firestore to
 * reject, and well under the 1 MiB document limit for a run of 500 prompts.
 */
export const encodeSummary = (summary: RunSummary): string => JSON.stringify(summary);

export function decodeSummary(stored: string | null | undefined): RunSummary | null {
  if (!stored) return null;
  try {
    return JSON.parse(stored) as RunSummary;
  } catch {
    return null; // recomputed and stored again
  }
}

/** Per-prompt flags from a stored summary, for listing a completed run's prompts without reading them all. */
export function flagsFromSummary(summary: RunSummary): Map<string, PromptQuality> {
  return new Map(summary.flagged.map((entry) => [entry.promptId, { issues: entry.issues, expected: entry.expected ?? [], duplicateOf: entry.duplicateOf }]));
}
