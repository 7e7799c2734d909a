/** The judge's part of an export: one object per image for image_prompts.json, CSV columns, and log lines. */
import { succeeded, type ExportedPrompt } from './export-model.js';
import type { RunReport } from '../quality/index.js';
import { HUMAN_CHECKS, MIN_RATINGS_FOR_AGREEMENT, type CheckAgreement, type HumanCheck } from '../judge/index.js';
import { yesNo } from './review-export.js';

const PENDING = 'not judged yet when this dataset was exported';

/**
 * Null only for an image that is not judged (`judgeOn` false: the run had no judge). A verdict still
 * under way when the dataset was taken says so, and so does one whose judging has not started yet:
 * a completed judged run has neither, but a dataset of a running run may.
 */
export function judgeJson(prompt: ExportedPrompt, judgeOn = false) {
  const judge = prompt.judge;
  if (!judge) return judgeOn && succeeded(prompt) ? { status: 'pending' as const, model: null, failureReason: PENDING } : null;
  if (judge.status === 'judging') return { status: 'pending' as const, model: judge.model, failureReason: PENDING };
  const answer = judge.answer;
  return {
    status: judge.status,
    model: judge.model,
    ...(answer
      ? { relevance: answer.relevance, reason: answer.reason, elements: answer.elements, artifacts: answer.artifacts, inappropriate: answer.inappropriate, concerns: answer.concerns, caption: answer.caption, culturalSensitivity: answer.culturalSensitivity ?? null, scenarioAligned: answer.scenarioAligned ?? null }
      : { failureReason: judge.reason }),
  };
}

/** The verdict's cells, then its status and failure reason, so a failed or pending verdict is never a blank row. */
export const JUDGE_COLUMNS = ['judgeRelevance', 'judgeReason', 'judgeInappropriate', 'caption', 'judgeCulturalSensitivity', 'judgeScenarioAligned', 'judgeStatus', 'judgeFailureReason'] as const;

/** Every cell empty only when the image was not judged (the run had no judge); a check a verdict from before it lacks is empty. */
export function judgeCells(prompt: ExportedPrompt, judgeOn = false): Array<string | number> {
  const judge = judgeJson(prompt, judgeOn);
  if (!judge) return JUDGE_COLUMNS.map(() => '');
  if ('relevance' in judge) return [judge.relevance, judge.reason, judge.inappropriate ? 1 : 0, judge.caption, judge.culturalSensitivity ?? '', yesNo(judge.scenarioAligned), judge.status, ''];
  return ['', '', '', '', '', '', judge.status, judge.failureReason ?? ''];
}

const CHECK_NAMES: Record<HumanCheck, string> = { relevance: 'relevance', inappropriate: 'inappropriate', culturalSensitivity: 'cultural sensitivity', scenarioAlignment: 'scenario alignment' };

/** One line per human check: the figures once 10 images carry both answers, else how many do. */
export function checkAgreementText(check: HumanCheck, result: CheckAgreement): string {
  const agreement = result.agreement;
  if (!agreement) return `${CHECK_NAMES[check]}: not yet measured (${result.compared} of ${MIN_RATINGS_FOR_AGREEMENT} images answered by both)`;
  if ('agreed' in agreement) return `${CHECK_NAMES[check]}: ${agreement.agreed} of ${agreement.count} agree (${Math.round(agreement.percentAgreement * 1000) / 10} %), Cohen's κ ${agreement.kappa ?? 'n/a'}`;
  return `${CHECK_NAMES[check]}: quadratically weighted Cohen's κ ${agreement.weightedKappa ?? 'n/a'}, Spearman ρ ${agreement.spearman ?? 'n/a'} over ${agreement.count} images`;
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
    ...HUMAN_CHECKS.map((check) => `  - ${checkAgreementText(check, judge.checks[check])}`),
  ];
}
