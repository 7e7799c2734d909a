/** documentation/generation_log.md: what was asked, what came out, and the quality report, for people to read. */
import { ISSUE_FLAGS } from '../quality/index.js';
import type { RunReport } from '../quality/index.js';
import { failureReasonOf, perCategory, succeeded, timings, type ExportInput } from './export-model.js';
import { splitLogLines } from './export-splits.js';
import { balanceTable, flaggedImages } from './generation-log-tables.js';
import { judgeLogLines } from './judge-export.js';
import { spotCheckLines } from './spot-check-export.js';

/** Escapes text for Markdown that may be rendered as HTML: prompts and scenario text are user input. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

/** `revisionLines`, for a lineage, go before the prompts (lineage-export.ts makes them). */
export function generationLogMd(input: ExportInput, revisionLines: string[] = []): string {
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
    `- Mean brightness (0–255): ${quality.meanBrightness?.toFixed(1) ?? 'n/a'}`,
    `- Mean colour variance (std, 0–255): ${quality.meanColourVariance?.toFixed(1) ?? 'n/a'}`,
    `- Mean resolution score: ${quality.meanResolutionScore?.toFixed(2) ?? 'n/a'}`,
    ...reportLines(input.report),
    ...spotCheckLines(input.report),
    ...splitLogLines(input, escapeMarkdown),
    ...flaggedImages(prompts, escapeMarkdown),
    ...judgeLogLines(input.report),
    ...revisionLines,
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
  return [
    `- Issues: ${flagged.length === 0 ? 'none' : flagged.map((flag) => `${flag.replace(/_/g, '\\_')} ${report.issueCounts[flag]}`).join(', ')}`,
    `- Diversity: mean pairwise pHash distance ${report.diversity.meanPairwiseHamming?.toFixed(1) ?? 'n/a'} of 64 bits; Vendi score ${report.diversity.vendiScore.toFixed(2)} over ${report.images} images`,
    ...balanceTable(report, escapeMarkdown),
  ];
}
