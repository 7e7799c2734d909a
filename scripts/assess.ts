/** `npm run assess -- <files-or-dirs...>`: quality flags for any folder of images, no cloud needed. */
import { pathToFileURL } from 'node:url';
import { METRIC_COLUMNS } from '../functions/core/metrics.js';
import { ISSUE_FLAGS } from '../functions/core/quality.js';
import { runReport, type RunReport } from '../functions/core/quality-report.js';
import { ASSESS_USAGE, assessFiles, findImageFiles, parseAssessArgs, type AssessedFile } from './lib/assess-files.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processOutput: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** Runs the command; returns the exit code: 0 done, 1 no image files, 2 bad options or paths. */
export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  const parsed = parseAssessArgs(argv);
  if (!parsed.ok) {
    if ('help' in parsed) return (io.out(`${ASSESS_USAGE}\n`), 0);
    io.err(`error: ${parsed.error}\n${ASSESS_USAGE}\n`);
    return 2;
  }
  const { paths, format, thresholds } = parsed.options;
  let files: string[];
  try {
    files = await findImageFiles(paths);
  } catch (error) {
    io.err(`error: ${(error as Error).message}\n`);
    return 2;
  }
  if (files.length === 0) {
    io.err(`error: no PNG, JPEG or WebP files found in ${paths.join(', ')}\n`);
    return 1;
  }
  const started = Date.now();
  const results = await assessFiles(files, thresholds, 2, (done) => {
    if (done === files.length || done % 25 === 0) io.err(`assessed ${done}/${files.length}\n`);
  });
  if (format === 'jsonl') io.out(results.map((result) => `${JSON.stringify(result)}\n`).join(''));
  else if (format === 'csv') io.out(toCsv(results));
  else io.out(toTable(results, reportOf(results), Date.now() - started));
  return 0;
}

const reportOf = (results: AssessedFile[]): RunReport =>
  runReport(results.map((result) => ({ id: result.file, category: '', variables: {}, metrics: result.metrics, issues: result.issues })));

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function toCsv(results: AssessedFile[]): string {
  const metricColumns = METRIC_COLUMNS.filter((column) => column !== 'width' && column !== 'height');
  const header = ['file', 'width', 'height', ...metricColumns, ...ISSUE_FLAGS, 'duplicateOf'];
  const rows = results.map((result) => [
    result.file,
    result.width,
    result.height,
    ...metricColumns.map((column) => result.metrics?.[column] ?? null),
    ...ISSUE_FLAGS.map((flag) => (result.issues.includes(flag) ? 1 : 0)),
    result.duplicateOf,
  ]);
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\n`).join('');
}

const TABLE_COLUMNS: Array<[string, (result: AssessedFile) => string]> = [
  ['file', (result) => result.file],
  ['size', (result) => (result.width === null ? '-' : `${result.width}x${result.height}`)],
  ['p5', (result) => result.metrics?.brightnessP5.toFixed(2) ?? '-'],
  ['p99', (result) => result.metrics?.brightnessP99.toFixed(2) ?? '-'],
  ['entropy', (result) => result.metrics?.entropy.toFixed(2) ?? '-'],
  ['sharpness', (result) => result.metrics?.sharpness.toFixed(2) ?? '-'],
  ['colour', (result) => result.metrics?.colourfulness.toFixed(1) ?? '-'],
  ['issues', (result) => [...result.issues, ...(result.duplicateOf ? [`(of ${result.duplicateOf})`] : [])].join(' ') || '-'],
];

export function toTable(results: AssessedFile[], report: RunReport, elapsedMs: number): string {
  const cells = [TABLE_COLUMNS.map(([name]) => name), ...results.map((result) => TABLE_COLUMNS.map(([, cell]) => cell(result)))];
  const widths = TABLE_COLUMNS.map((_, column) => Math.max(...cells.map((row) => (row[column] as string).length)));
  const lines = cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  '));
  const flagged = results.filter((result) => result.issues.length > 0).length;
  const counts = ISSUE_FLAGS.filter((flag) => report.issueCounts[flag] > 0).map((flag) => `${flag} ${report.issueCounts[flag]}`);
  const { meanPairwiseHamming, vendiScore } = report.diversity;
  return [
    ...lines,
    '',
    `${results.length} images, ${flagged} with issues${counts.length ? `: ${counts.join(', ')}` : ''}`,
    `diversity: mean pairwise pHash distance ${meanPairwiseHamming ?? 'n/a'} of 64, Vendi score ${vendiScore} (effective number of distinct images)`,
    `${(elapsedMs / 1000).toFixed(1)} s`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
