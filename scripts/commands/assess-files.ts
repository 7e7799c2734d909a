/**
 * The `assess` command's parts: pure option parsing, finding image files, and assessing
 * them through the same decode → metrics → flags path as the storage function.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics, type ImageMetrics } from '../../functions/core/quality/index.js';
import { combineIssues, imageIssues, mergeThresholds, runChecks, THRESHOLD_NAMES, type IssueFlag, type Thresholds } from '../../functions/core/quality/index.js';
import type { Parsed } from '../lib/index.js';

export const OUTPUT_FORMATS = ['table', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface AssessOptions {
  paths: string[];
  format: OutputFormat;
  thresholds: Thresholds;
  /** List the skipped files, not only count them. */
  verbose: boolean;
}

export const ASSESS_USAGE = `usage: npm run assess -- <files-or-dirs...> [--format table|jsonl|csv] [--threshold name=value ...] [--verbose]
  Assesses every PNG, JPEG and WebP file found (directories are searched recursively).
  --format F            table (default), jsonl (one JSON object per line) or csv
  --verbose             list the files skipped as not PNG, JPEG or WebP (they are always counted)
  --threshold N=V       override a quality threshold; repeatable. Names: ${THRESHOLD_NAMES.join(', ')}`;

export function parseAssessArgs(argv: string[]): Parsed<AssessOptions> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { format: { type: 'string' }, threshold: { type: 'string', multiple: true }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { ok: false, help: true };
  const format = values.format ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) return { ok: false, error: `--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"` };
  if (positionals.length === 0) return { ok: false, error: 'give at least one image file or directory' };
  const overrides: Record<string, number> = {};
  for (const assignment of values.threshold ?? []) {
    const match = /^([A-Za-z0-9]+)=(.+)$/.exec(assignment);
    if (!match) return { ok: false, error: `--threshold must look like name=value, got "${assignment}"` };
    const value = Number(match[2]);
    if (!Number.isFinite(value)) return { ok: false, error: `--threshold ${match[1]} needs a number, got "${match[2]}"` };
    overrides[match[1] as string] = value;
  }
  try {
    return { ok: true, options: { paths: positionals, format: format as OutputFormat, thresholds: mergeThresholds(overrides), verbose: values.verbose === true } };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/**
 * Image files under the given directories, recursively, plus files named outright (assessed whatever
 * their extension), sorted so the output, and which duplicate counts as the original, is stable;
 * and the other files found in the directories, which are skipped.
 */
export async function findImageFiles(paths: string[]): Promise<{ files: string[]; skipped: string[] }> {
  const found = new Set<string>();
  const skipped = new Set<string>();
  const visit = async (path: string, named: boolean): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const entry of await readdir(path)) await visit(join(path, entry), false);
    } else if (info.isFile() && (named || IMAGE_EXTENSIONS.has(extname(path).toLowerCase()))) found.add(path);
    else skipped.add(path);
  };
  for (const path of paths) await visit(path, true);
  return { files: [...found].sort(), skipped: [...skipped].sort() };
}

/**
 * The folder the table's paths are shown relative to: the one directory given, or else the
 * deepest folder holding everything given.
 */
export function displayBase(paths: string[], isDirectory: (path: string) => boolean): string {
  const folders = paths.map((path) => (isDirectory(path) ? resolve(path) : dirname(resolve(path))));
  const split = folders.map((folder) => folder.split(sep));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => parts[i] !== undefined && parts[i] === split[0]?.[i]); i++) common.push(split[0]?.[i] as string);
  return common.join(sep) || sep;
}

export interface AssessedFile {
  file: string;
  width: number | null;
  height: number | null;
  metrics: ImageMetrics | null;
  issues: IssueFlag[];
  duplicateOf: string | null;
  /** Why an `unreadable` file could not be read or decoded. */
  error?: string;
}

/** Decodes and measures `concurrency` files at a time; an undecodable file is `unreadable`, never fatal. */
export async function assessFiles(files: string[], thresholds: Thresholds, concurrency = 2, onProgress: (done: number) => void = () => {}): Promise<AssessedFile[]> {
  const results: AssessedFile[] = new Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index] as string;
      try {
        const metrics = computeMetrics(await decodeImage(await readFile(file)));
        results[index] = { file, width: metrics.width, height: metrics.height, metrics, issues: imageIssues(metrics, thresholds), duplicateOf: null };
      } catch (error) {
        const reason = (error as Error).message.split('\n')[0] ?? 'unknown error';
        results[index] = { file, width: null, height: null, metrics: null, issues: ['unreadable'], duplicateOf: null, error: reason };
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const decoded = results.flatMap((result) => (result.metrics ? [{ id: result.file, metrics: result.metrics }] : []));
  const checks = runChecks(decoded, thresholds);
  return results.map((result) => {
    const check = checks.get(result.file);
    return check ? { ...result, issues: combineIssues(result.issues, check.issues), duplicateOf: check.duplicateOf } : result;
  });
}
