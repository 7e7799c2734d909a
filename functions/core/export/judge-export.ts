/** The judge's part of an export: one object per image for image_prompts.json, CSV columns, and log lines. */
import type { ExportedPrompt } from './export-model.js';
import type { RunReport } from '../quality/index.js';

/**
 * Null only for an image that was never judged (the run had no judge). A verdict still under way when
 * the dataset was taken says so: a completed judged run has none, but a dataset of a running run may.
 */
export function judgeJson(prompt: Pick<ExportedPrompt, 'judge'>) {
  const judge = prompt.judge;
  if (!judge) return null;
  if (judge.status === 'judging') return { status: 'pending' as const, model: judge.model, failureReason: 'not judged yet when this dataset was exported' };
  const answer = judge.answer;
  return {
    status: judge.status,
    model: judge.model,
    ...(answer
      ? { relevance: answer.relevance, reason: answer.reason, elements: answer.elements, artifacts: answer.artifacts, inappropriate: answer.inappropriate, concerns: answer.concerns, caption: answer.caption }
      : { failureReason: judge.reason }),
  };
}

/** The verdict's cells, then its status and failure reason, so a failed or pending verdict is never a blank row. */
export const JUDGE_COLUMNS = ['judgeRelevance', 'judgeReason', 'judgeInappropriate', 'caption', 'judgeStatus', 'judgeFailureReason'] as const;

/** Every cell empty only when the image was not judged (the run had no judge). */
export function judgeCells(prompt: Pick<ExportedPrompt, 'judge'>): Array<string | number> {
  const judge = judgeJson(prompt);
  if (!judge) return ['', '', '', '', '', ''];
  if ('relevance' in judge) return [judge.relevance, judge.reason, judge.inappropriate ? 1 : 0, judge.caption, judge.status, ''];
  return ['', '', '', '', judge.status, judge.failureReason ?? ''];
}

export function judgeLogLines(report: RunReport | null): string[] {
  const judge = report?.judge;
  if (!judge) return [];
  const agreement = judge.agreement
    ? `quadratically weighted Cohen's κ ${judge.agreement.weightedKappa ?? 'n/a'}, Spearman ρ ${judge.agreement.spearman ?? 'n/a'} over ${judge.agreement.count} images rated by people`
    : `not yet measured: ${judge.compared} images rated by people and judged (10 needed)`;
  return [
    '',
    '## Content judge',
    `- Verdicts: ${judge.judged} judged, ${judge.failed} failed; mean relevance ${judge.meanRelevance ?? 'n/a'} of 5`,
    `- Flags raised: ${['off_prompt', 'missing_elements', 'artifacts', 'inappropriate_content'].map((flag) => `${flag.replace(/_/g, '\\_')} ${report.issueCounts[flag as keyof RunReport['issueCounts']] ?? 0}`).join(', ')}`,
    `- Agreement with people: ${agreement}`,
  ];
}
