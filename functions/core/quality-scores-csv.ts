/** metadata/quality_scores.csv: one row per image, metrics, flags and the human review. */
import { METRIC_COLUMNS } from './metrics.js';
import { ISSUE_FLAGS } from './quality.js';
import { REVIEW_COLUMNS } from './review.js';
import { imagePath, succeeded, type ExportedPrompt } from './export-model.js';
import { JUDGE_COLUMNS, judgeCells } from './judge-export.js';

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function qualityScoresCsv(prompts: ExportedPrompt[]): string {
  const header = ['file', 'id', 'category', ...METRIC_COLUMNS, ...ISSUE_FLAGS, 'duplicateOf', ...REVIEW_COLUMNS, ...JUDGE_COLUMNS];
  const rows = prompts
    .filter((prompt) => succeeded(prompt))
    .map((prompt) => [
      imagePath(prompt),
      prompt.promptId,
      prompt.category,
      ...METRIC_COLUMNS.map((column) => prompt.metrics?.[column] ?? ''),
      ...ISSUE_FLAGS.map((flag) => (prompt.issues.includes(flag) ? 1 : 0)),
      prompt.duplicateOf ?? '',
      // Human review from the gallery; empty until someone has looked at the image.
      prompt.review?.relevance ?? '',
      prompt.review ? (prompt.review.inappropriate ? 1 : 0) : '',
      prompt.review?.note ?? '',
      prompt.review?.reviewedBy ?? '',
      // The content judge's verdict; empty when the run was not judged or the verdict failed.
      ...judgeCells(prompt),
    ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}
