/**
 * The workshop's dataset layout, as pure functions from run data to file contents.
 * The writer in scripts/client/exporter.ts only fetches and saves.
 */
import { METRIC_COLUMNS } from './metrics.js';
import { ISSUE_FLAGS, type IssueFlag, type Thresholds } from './quality.js';
import type { RunReport } from './quality-report.js';
import { REVIEW_COLUMNS } from './review.js';
import type { PromptRecord, QualitySummary, RunRecord, StatusCounts } from './run-model.js';

export type ExportedPrompt = Omit<PromptRecord, 'leaseOwner' | 'leaseExpiresAt' | 'assessedGeneration'> & {
  issues: IssueFlag[];
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

function failureReasonOf(prompt: ExportedPrompt): string {
  if (prompt.status === 'failed') return prompt.failureReason ?? 'unknown';
  return `unfinished: still ${prompt.status} when exported`;
}

export function imagePromptsJson(prompts: ExportedPrompt[]): string {
  const entries = prompts.map((prompt) => ({
    id: prompt.promptId,
    category: prompt.category,
    prompt: prompt.prompt,
    variables: prompt.variables,
    seed: prompt.seed,
    status: succeeded(prompt) ? 'succeeded' : 'failed',
    ...(succeeded(prompt) ? { file: imagePath(prompt), model: prompt.model } : { failureReason: failureReasonOf(prompt) }),
    issues: prompt.issues,
    duplicateOf: prompt.duplicateOf,
    review: prompt.review ?? null,
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** One file of an exported dataset: text made here, or an image the writer copies from storage. */
export type DatasetFile = { path: string; text: string } | { path: string; image: { runId: string; promptId: string } };

/**
 * Every file of a dataset, in order: the one list that the CLI writes, the api zips and any
 * packaging adds to, so no writer lays out files of its own. Paths are relative and POSIX.
 */
export function datasetFiles(input: ExportInput): DatasetFile[] {
  const images: DatasetFile[] = input.prompts.filter(succeeded).map((prompt) => ({ path: imagePath(prompt), image: { runId: input.run.runId, promptId: prompt.promptId } }));
  return [
    ...images,
    { path: 'metadata/image_prompts.json', text: imagePromptsJson(input.prompts) },
    { path: 'metadata/generation_parameters.json', text: generationParametersJson(input) },
    { path: 'metadata/quality_scores.csv', text: qualityScoresCsv(input.prompts) },
    { path: 'documentation/generation_log.md', text: generationLogMd(input) },
  ];
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

export function generationParametersJson(input: ExportInput): string {
  const ok = input.prompts.filter(succeeded).length;
  return `${JSON.stringify(
    {
      runId: input.run.runId,
      scenario: input.run.scenario,
      provider: input.run.provider,
      model: input.run.model,
      seed: input.run.seed,
      image: input.run.image,
      costEstimate: input.run.costEstimate,
      requestedCount: input.run.count,
      categories: input.run.categories,
      counts: { planned: input.prompts.length, succeeded: ok, failed: input.prompts.length - ok, perCategory: perCategory(input.prompts) },
      timings: timings(input),
      quality: { thresholds: input.thresholds, report: input.report },
      exportedAt: input.exportedAt,
      versions: input.versions,
    },
    null,
    2,
  )}\n`;
}

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function qualityScoresCsv(prompts: ExportedPrompt[]): string {
  const header = ['file', 'id', 'category', ...METRIC_COLUMNS, ...ISSUE_FLAGS, 'duplicateOf', ...REVIEW_COLUMNS];
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
    ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

/** Escapes text for Markdown that may be rendered as HTML: prompts and scenario text are user input. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

export function generationLogMd(input: ExportInput): string {
  const { run, prompts, quality } = input;
  const time = timings(input);
  const failed = prompts.filter((p) => !succeeded(p));
  const lines = [
    `# Generation log: run ${run.runId}`,
    '',
    '## What was asked',
    `- Scenario: **${escapeMarkdown(run.scenario.name)}**${run.scenario.description ? ` — ${escapeMarkdown(run.scenario.description)}` : ''}`,
    `- Images requested: ${run.count}, seed ${run.seed}, categories: ${run.categories.map(escapeMarkdown).join(', ')}`,
    `- Provider: ${escapeMarkdown(run.provider)} (model ${escapeMarkdown(run.model)})${run.provider === 'embedded' ? ' — a procedural placeholder renderer, not a generative model' : ''}`,
    `- Started ${time.createdAt}; finished ${time.finishedAt ?? 'n/a'}; wall time ${time.wallSeconds ?? 'n/a'} s`,
    '',
    '## What came out',
    '| category | succeeded | failed |',
    '|---|---:|---:|',
    ...Object.entries(perCategory(prompts)).map(([category, c]) => `| ${escapeMarkdown(category)} | ${c.succeeded} | ${c.failed} |`),
    '',
    '## Failures',
    ...(failed.length === 0 ? ['None.'] : failed.map((p) => `- ${p.promptId} (${escapeMarkdown(p.category)}): ${escapeMarkdown(failureReasonOf(p))}`)),
    '',
    '## Quality summary',
    `- Images assessed: ${quality.assessed}`,
    `- Mean brightness (0–255): ${quality.meanBrightness ?? 'n/a'}`,
    `- Mean colour variance (std, 0–255): ${quality.meanColourVariance ?? 'n/a'}`,
    `- Mean resolution score: ${quality.meanResolutionScore ?? 'n/a'}`,
    ...reportLines(input.report),
    '',
    '## Prompts',
    ...prompts.map((p) => `- ${p.promptId} [${escapeMarkdown(p.category)}] ${succeeded(p) ? '' : '(failed) '}${escapeMarkdown(p.prompt)}`),
    '',
  ];
  return lines.join('\n');
}

function reportLines(report: RunReport | null): string[] {
  if (!report) return ['- Run report: not available (the run had not finished)'];
  const flagged = ISSUE_FLAGS.filter((flag) => report.issueCounts[flag] > 0);
  const balance = (label: string, b: { counts: Record<string, number>; normalisedEntropy: number }) =>
    `- Balance of ${escapeMarkdown(label)}: normalised entropy ${b.normalisedEntropy.toFixed(3)} (${Object.entries(b.counts).map(([k, n]) => `${escapeMarkdown(k)} ${n}`).join(', ')})`;
  return [
    `- Issues: ${flagged.length === 0 ? 'none' : flagged.map((flag) => `${flag.replace(/_/g, '\\_')} ${report.issueCounts[flag]}`).join(', ')}`,
    `- Diversity: mean pairwise pHash distance ${report.diversity.meanPairwiseHamming?.toFixed(1) ?? 'n/a'} of 64 bits; Vendi score ${report.diversity.vendiScore.toFixed(2)} over ${report.images} images`,
    balance('categories', report.balance.categories),
    ...Object.entries(report.balance.axes).map(([axis, b]) => balance(axis, b)),
  ];
}
