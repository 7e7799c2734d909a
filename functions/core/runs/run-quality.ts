/**
 * Quality of a whole run: per-image flags, the run-level checks (duplicates, odd sizes) and
 * the report, from the prompts' stored metrics. One function, so the status route, the
 * prompt listing and the export can never disagree.
 */
import { combineIssues, imageIssues, mergeThresholds, runChecks, type IssueFlag, type Thresholds } from '../quality/index.js';
import { runReport, type RunReport } from '../quality/index.js';
import { expectedFlags } from '../scenario/index.js';
import { judgeIssues } from '../judge/index.js';
import { judgeSummary } from '../judge/index.js';
import { screeningFlag } from '../references/index.js';
import type { PromptRecord, RunRecord } from './run-model.js';
import { spotCheckReport } from './spot-check.js';

export interface PromptQuality {
  issues: IssueFlag[];
  /** Flags the prompt asked for (the scenario's `expectations`, e.g. `dark` at night): reported, never counted as issues. */
  expected: IssueFlag[];
  /** The prompt whose image this one duplicates. */
  duplicateOf: string | null;
}

export interface RunQuality {
  thresholds: Thresholds;
  byPrompt: Map<string, PromptQuality>;
  report: RunReport;
}

type QualityInput = Pick<PromptRecord, 'promptId' | 'index' | 'category' | 'variables' | 'status' | 'metrics' | 'failureReason'> & Partial<Pick<PromptRecord, 'judge' | 'review' | 'referenceIds' | 'referenceScreening'>>;

/** The privacy guard's flag of an assessed image, as a list to combine. */
const guardIssues = (prompt: QualityInput): IssueFlag[] => {
  const flag = screeningFlag(prompt);
  return flag ? [flag] : [];
};

export const thresholdsOf = (run: Pick<RunRecord, 'scenario'>): Thresholds => mergeThresholds(run.scenario.quality?.thresholds ?? {});

export const isUnreadable = (prompt: Pick<PromptRecord, 'status' | 'failureReason'>): boolean =>
  prompt.status === 'failed' && (prompt.failureReason ?? '').startsWith('unreadable');

/**
 * One image's own flags while its run is still running: its metrics and judge verdict, split into
 * issues and the flags its prompt asked for. Run-level checks (duplicates, odd sizes) wait for the run.
 */
export function ownQuality(run: Pick<RunRecord, 'scenario'>, prompt: QualityInput, thresholds: Thresholds): PromptQuality | undefined {
  if (isUnreadable(prompt)) return { issues: ['unreadable'], expected: [], duplicateOf: null };
  if (prompt.status !== 'assessed' || !prompt.metrics) return undefined;
  const verdict = prompt.judge?.status === 'judged' && prompt.judge.answer ? judgeIssues(prompt.judge.answer, thresholds) : [];
  const flagged = combineIssues(imageIssues(prompt.metrics, thresholds), [], verdict, guardIssues(prompt));
  const wanted = expectedFlags(prompt.variables, run.scenario.expectations);
  return { issues: flagged.filter((flag) => !wanted.has(flag)), expected: flagged.filter((flag) => wanted.has(flag)), duplicateOf: null };
}

/** With the run's seed, the report carries the run's spot check (spot-check.ts) beside the flags. */
export function runQuality(run: Pick<RunRecord, 'scenario'> & Partial<Pick<RunRecord, 'seed'>>, prompts: QualityInput[]): RunQuality {
  const thresholds = thresholdsOf(run);
  const ordered = [...prompts].sort((a, b) => a.index - b.index);
  const assessed = ordered.filter((p): p is QualityInput & { metrics: NonNullable<QualityInput['metrics']> } => p.status === 'assessed' && p.metrics !== null);
  const checks = runChecks(assessed.map((p) => ({ id: p.promptId, metrics: p.metrics })), thresholds);
  const byPrompt = new Map<string, PromptQuality>();
  for (const prompt of assessed) {
    const check = checks.get(prompt.promptId);
    // A failed verdict raises nothing: only an answer the schema accepted can flag an image.
    const verdict = prompt.judge?.status === 'judged' && prompt.judge.answer ? judgeIssues(prompt.judge.answer, thresholds) : [];
    const flagged = combineIssues(imageIssues(prompt.metrics, thresholds), check?.issues ?? [], verdict, guardIssues(prompt));
    const wanted = expectedFlags(prompt.variables, run.scenario.expectations);
    byPrompt.set(prompt.promptId, { issues: flagged.filter((flag) => !wanted.has(flag)), expected: flagged.filter((flag) => wanted.has(flag)), duplicateOf: check?.duplicateOf ?? null });
  }
  for (const prompt of ordered.filter(isUnreadable)) byPrompt.set(prompt.promptId, { issues: ['unreadable'], expected: [], duplicateOf: null });
  const reported = ordered.filter((p) => byPrompt.has(p.promptId));
  const report = runReport(
    reported.map((p) => ({ id: p.promptId, category: p.category, variables: p.variables, metrics: p.status === 'assessed' ? p.metrics : null, issues: byPrompt.get(p.promptId)?.issues ?? [], expected: byPrompt.get(p.promptId)?.expected ?? [] })),
  );
  const judge = judgeSummary(reported);
  const spotCheck = run.seed === undefined ? null : spotCheckReport(ordered, run.seed, (promptId) => byPrompt.get(promptId)?.issues ?? []);
  return { thresholds, byPrompt, report: { ...report, ...(judge ? { judge } : {}), ...(spotCheck ? { spotCheck } : {}) } };
}
