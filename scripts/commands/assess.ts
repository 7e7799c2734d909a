/** `npm run assess -- <files-or-dirs...>`: quality flags for any folder of images, no cloud needed. */
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { METRIC_COLUMNS } from '../../functions/core/quality/index.js';
import { ISSUE_FLAGS } from '../../functions/core/quality/index.js';
import { runReport, type RunReport } from '../../functions/core/quality/index.js';
import { ASSESS_USAGE, assessFiles, displayBase, findImageFiles, parseAssessArgs, type AssessedFile } from './assess-files.js';
import { plural } from '../lib/index.js';

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
  const { paths, format, thresholds, verbose } = parsed.options;
  let files: string[];
  let skipped: string[];
  try {
    ({ files, skipped } = await findImageFiles(paths));
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    io.err(`error: ${code === 'ENOENT' ? `${path} does not exist; give an image file or a folder of them` : (error as Error).message}\n`);
    return 2;
  }
  if (skipped.length > 0) {
    io.err(`${plural(skipped.length, 'file')} skipped, not PNG, JPEG or WebP${verbose ? ':' : ' (--verbose lists them)'}\n`);
    if (verbose) io.err(skipped.map((file) => `  ${file}\n`).join(''));
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
  else {
    const base = displayBase(paths, (path) => statSync(path).isDirectory());
    const fromHere = relative('.', base);
    const shownBase = paths.length === 1 && statSync(paths[0] as string).isDirectory() ? (paths[0] as string) : fromHere.startsWith('..') ? base : fromHere || '.';
    io.out(`paths relative to ${shownBase}\n${toTable(results, reportOf(results), Date.now() - started, base)}`);
  }
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
  const header = ['file', 'width', 'height', ...metricColumns, ...ISSUE_FLAGS, 'duplicateOf', 'error'];
  const rows = results.map((result) => [
    result.file,
    result.width,
    result.height,
    ...metricColumns.map((column) => result.metrics?.[column] ?? null),
    ...ISSUE_FLAGS.map((flag) => (result.issues.includes(flag) ? 1 : 0)),
    result.duplicateOf,
    result.error ?? null,
  ]);
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\n`).join('');
}

const tableColumns = (shown: (file: string) => string): Array<[string, (result: AssessedFile) => string]> => [
  ['file', (result) => shown(result.file)],
  ['size', (result) => (result.width === null ? '-' : `${result.width}x${result.height}`)],
  ['p5', (result) => result.metrics?.brightnessP5.toFixed(2) ?? '-'],
  ['p99', (result) => result.metrics?.brightnessP99.toFixed(2) ?? '-'],
  ['entropy', (result) => result.metrics?.entropy.toFixed(2) ?? '-'],
  ['sharpness', (result) => result.metrics?.sharpness.toFixed(2) ?? '-'],
  ['colour', (result) => result.metrics?.colourfulness.toFixed(1) ?? '-'],
  ['issues', (result) => [...result.issues, ...(result.duplicateOf ? [`(of ${shown(result.duplicateOf)})`] : [])].join(' ') || '-'],
];

/** The table, with each file shown relative to `base`. */
export function toTable(results: AssessedFile[], report: RunReport, elapsedMs: number, base = '.'): string {
  const columns = tableColumns((file) => relative(base, file) || file);
  // Why a file is unreadable, in a column of its own, when any is.
  if (results.some((result) => result.error)) columns.push(['error', (result) => result.error ?? '']);
  const cells = [columns.map(([name]) => name), ...results.map((result) => columns.map(([, cell]) => cell(result)))];
  const widths = columns.map((_, column) => Math.max(...cells.map((row) => (row[column] as string).length)));
  const lines = cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  ').trimEnd());
  const flagged = results.filter((result) => result.issues.length > 0).length;
  const counts = ISSUE_FLAGS.filter((flag) => report.issueCounts[flag] > 0).map((flag) => `${flag} ${report.issueCounts[flag]}`);
  const { meanPairwiseHamming, vendiScore } = report.diversity;
  return [
    ...lines,
    '',
    `${plural(results.length, 'image')}, ${flagged} with issues${counts.length ? `: ${counts.join(', ')}` : ''}`,
    `diversity: mean pairwise pHash distance ${meanPairwiseHamming?.toFixed(1) ?? 'n/a'} of 64, Vendi score ${vendiScore.toFixed(2)} (effective number of distinct images)`,
    `${(elapsedMs / 1000).toFixed(1)} s`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
