/** metadata/quality_scores.csv: one row per image, metrics, flags and the human review. */
import { csvRow } from './csv.js';
import { METRIC_COLUMNS } from '../quality/index.js';
import { ISSUE_FLAGS } from '../quality/index.js';
import { REVIEW_COLUMNS } from '../runs/index.js';
import { usableVerdict } from '../runs/index.js';
import { exported, imagePath, type ExportedPrompt } from './export-model.js';
import { JUDGE_COLUMNS, judgeCells } from './judge-export.js';
import { culturalSensitivityText, labelKeysOf, labelText, scenarioAlignedText } from './review-export.js';

/** `judgeOn`: the run asked for the content judge, so an image without a verdict yet says it is pending. */
export function qualityScoresCsv(prompts: ExportedPrompt[], judgeOn = false): string {
  const images = prompts.filter((prompt) => exported(prompt));
  // The cohort's labels, one column each, last: `label_{key}` (keys are lower-case identifiers).
  const labelKeys = labelKeysOf(images);
  const header = ['file', 'id', 'category', ...METRIC_COLUMNS, ...ISSUE_FLAGS, 'duplicateOf', ...REVIEW_COLUMNS, 'usable', ...JUDGE_COLUMNS, ...labelKeys.map((key) => `label_${key}`)];
  const rows = images
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
      culturalSensitivityText(prompt),
      scenarioAlignedText(prompt),
      // 1 = no issue flag, not rated below 3, not marked inappropriate (functions/core/usable.ts).
      usableVerdict(prompt).usable ? 1 : 0,
      // The content judge's verdict, or its status and failure reason; empty only when the run was not judged.
      ...judgeCells(prompt, judgeOn),
      ...labelKeys.map((key) => labelText(prompt, key)),
    ]);
  // Notes, names and categories come from users: every cell is neutralised (csv.ts).
  return `${[header, ...rows].map(csvRow).join('\n')}\n`;
}
