import { parseArgs } from 'node:util';
import { DEFAULT_DATASET_OPTIONS, parseExcludePolicies, parseLicense, parseSplitRatios, type DatasetOptions } from '../../functions/core/export/index.js';
import { didYouMean } from '../../functions/core/scenario/index.js';

/**
 * Pure option parsing for the command-line tools: argv in, options or an error message
 * out. No I/O, so it is tested with a table.
 */
export interface RunOptions {
  count: number;
  scenarioFile: string | undefined;
  seed: number | undefined;
  categories: string[] | undefined;
  out: string;
  force: boolean;
  /** How the export is split and labelled: --split, --exclude, --license. */
  dataset: DatasetOptions;
  /** The content judge asked for; unset lets the stack or deployment decide. */
  judge: 'gemini' | 'none' | undefined;
}

/** Where the local stack keeps its data between runs. */
export interface DataOptions {
  dataDir: string;
  /** Start with an empty data folder. */
  fresh: boolean;
}

export const DEFAULT_DATA_DIR = '.local-data';

export interface StartOptions extends RunOptions, DataOptions {
  provider: 'embedded' | 'gemini';
  keep: boolean;
}

export interface GenerateOptions extends RunOptions {
  api: string;
}

export type Parsed<T> = { ok: true; options: T } | { ok: false; error: string } | { ok: false; help: true };

const runFlags = {
  count: { type: 'string' },
  scenario: { type: 'string' },
  seed: { type: 'string' },
  categories: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  judge: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...datasetFlagsSpec(),
} as const;

/** The dataset options of every command that exports; parse them with parseDatasetFlags. */
function datasetFlagsSpec() {
  return { split: { type: 'string' }, exclude: { type: 'string' }, license: { type: 'string' } } as const;
}
export const datasetFlags = datasetFlagsSpec();

export function parseDatasetFlags(values: Record<string, string | boolean | undefined>): DatasetOptions | string {
  const split = typeof values.split === 'string' ? parseSplitRatios(values.split) : DEFAULT_DATASET_OPTIONS.split;
  if (typeof split === 'string') return split;
  const exclude = typeof values.exclude === 'string' ? parseExcludePolicies(values.exclude) : DEFAULT_DATASET_OPTIONS.exclude;
  if (typeof exclude === 'string') return exclude;
  const license = typeof values.license === 'string' ? parseLicense(values.license) : DEFAULT_DATASET_OPTIONS.license;
  return license.startsWith('--') ? license : { split, exclude, license };
}

function integer(name: string, text: string | undefined, min: number, max: number): number | string {
  if (text === undefined) return `--${name} needs a value`;
  if (!/^\d+$/.test(text)) return `--${name} must be a whole number, got "${text}"`;
  const value = Number(text);
  return value < min || value > max ? `--${name} must be between ${min} and ${max}, got ${value}` : value;
}

function parseRunOptions(values: Record<string, string | boolean | undefined>, defaultCount: number): RunOptions | string {
  const count = values.count === undefined ? defaultCount : integer('count', values.count as string, 1, 500);
  if (typeof count === 'string') return count;
  const seed = values.seed === undefined ? undefined : integer('seed', values.seed as string, 0, Number.MAX_SAFE_INTEGER);
  if (typeof seed === 'string') return seed;
  const judge = values.judge as string | undefined;
  if (judge !== undefined && judge !== 'gemini' && judge !== 'none') return `--judge must be "gemini" or "none", got "${judge}"`;
  const categories = typeof values.categories === 'string' ? values.categories.split(',').map((c) => c.trim()).filter(Boolean) : undefined;
  const dataset = parseDatasetFlags(values);
  if (typeof dataset === 'string') return dataset;
  return {
    count,
    seed,
    categories: categories?.length ? categories : undefined,
    scenarioFile: values.scenario as string | undefined,
    out: (values.out as string | undefined) ?? 'DataCollection',
    force: values.force === true,
    dataset,
    judge,
  };
}

/** node's message for an unknown option, shortened, with the close option when there is one. */
export function optionError(error: unknown, known: string[]): string {
  const message = (error as Error).message;
  const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message;
  return `unknown option ${unknown}${didYouMean(unknown.replace(/^-+/, ''), known, (name) => `--${name}`)}`;
}

function parse(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  const options = { ...runFlags, ...extra };
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    return optionError(error, Object.keys(options));
  }
}

const dataFlags = { 'data-dir': { type: 'string' }, fresh: { type: 'boolean' } } as const;

function dataOptions(values: Record<string, string | boolean | undefined>): DataOptions | string {
  const dataDir = values['data-dir'];
  if (dataDir === '') return '--data-dir needs a folder';
  return { dataDir: typeof dataDir === 'string' ? dataDir : DEFAULT_DATA_DIR, fresh: values.fresh === true };
}

/** `npm run dev`: only where to keep the data. */
export interface DevOptions extends DataOptions {
  /** The stack's content judge; `none` unless asked. */
  judge: 'gemini' | 'none';
  /** The stack's image provider, as `npm start` takes it. */
  provider: 'embedded' | 'gemini';
}

export function parseDevArgs(argv: string[]): Parsed<DevOptions> {
  const flags = { ...dataFlags, judge: { type: 'string' as const }, provider: { type: 'string' as const } };
  let values;
  try {
    values = parseArgs({ args: argv, options: { ...flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    return { ok: false, error: optionError(error, [...Object.keys(flags), 'help']) };
  }
  if (values.help) return { ok: false, help: true };
  const judge = (values.judge as string | undefined) ?? 'none';
  if (judge !== 'gemini' && judge !== 'none') return { ok: false, error: `--judge must be "gemini" or "none", got "${judge}"` };
  const provider = (values.provider as string | undefined) ?? 'embedded';
  if (provider !== 'embedded' && provider !== 'gemini') return { ok: false, error: `--provider must be "embedded" or "gemini", got "${provider}"` };
  const data = dataOptions(values);
  return typeof data === 'string' ? { ok: false, error: data } : { ok: true, options: { ...data, judge, provider } };
}

export function parseStartArgs(argv: string[]): Parsed<StartOptions> {
  const values = parse(argv, { provider: { type: 'string' }, keep: { type: 'boolean' }, ...dataFlags });
  if (typeof values === 'string') return { ok: false, error: values };
  if (values.help) return { ok: false, help: true };
  const provider = (values.provider as string | undefined) ?? 'embedded';
  if (provider !== 'embedded' && provider !== 'gemini') return { ok: false, error: `--provider must be "embedded" or "gemini", got "${provider}"` };
  const run = parseRunOptions(values, 60);
  if (typeof run === 'string') return { ok: false, error: run };
  const data = dataOptions(values);
  return typeof data === 'string' ? { ok: false, error: data } : { ok: true, options: { ...run, ...data, provider, keep: values.keep === true } };
}

export function parseGenerateArgs(argv: string[]): Parsed<GenerateOptions> {
  const values = parse(argv, { api: { type: 'string' } });
  if (typeof values === 'string') return { ok: false, error: values };
  if (values.help) return { ok: false, help: true };
  const api = values.api as string | undefined;
  if (!api) return { ok: false, error: '--api URL is required (the api function URL, e.g. http://127.0.0.1:8080)' };
  if (!/^https?:\/\/[^\s]+$/.test(api)) return { ok: false, error: `--api must be an http(s) URL, got "${api}"` };
  const run = parseRunOptions(values, 60);
  return typeof run === 'string' ? { ok: false, error: run } : { ok: true, options: { ...run, api } };
}

export const RUN_USAGE = `  --count N           images to generate, 1..500 (default 60)
  --scenario FILE     a scenario JSON file (default: the built-in scenario)
  --seed N            planning seed, for a reproducible run (default: random)
  --categories A,B    only these categories of the scenario
  --out DIR           export folder (default ./DataCollection)
  --force             replace an existing dataset in --out
  --split A,B,C       train,validation,test shares (default 0.8,0.1,0.1)
  --exclude POLICY    leave images out of every split: issues, inappropriate,
                      rated-below=N, not-usable; comma-separated to combine
  --license ID        the licence in the dataset card (default cc-by-4.0)
  --judge NAME        gemini: a Gemini model judges each image's content (needs Gemini credentials);
                      none: pixel metrics only (default: gemini for Gemini images when the deployment has a judge)`;

export const DATA_USAGE = `  --data-dir DIR      where runs, prompts, reviews and images are kept between runs (default ./${DEFAULT_DATA_DIR})
  --fresh             start with an empty data folder (deletes what --data-dir holds)`;
