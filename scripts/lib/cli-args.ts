import { parseArgs } from 'node:util';

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
  /** The content judge asked for; unset lets the stack or deployment decide. */
  judge: 'gemini' | 'none' | undefined;
}

export interface StartOptions extends RunOptions {
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
} as const;

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
  return {
    count,
    seed,
    categories: categories?.length ? categories : undefined,
    scenarioFile: values.scenario as string | undefined,
    out: (values.out as string | undefined) ?? 'DataCollection',
    force: values.force === true,
    judge,
  };
}

function parse(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args: argv, options: { ...runFlags, ...extra }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    return (error as Error).message;
  }
}

export function parseStartArgs(argv: string[]): Parsed<StartOptions> {
  const values = parse(argv, { provider: { type: 'string' }, keep: { type: 'boolean' } });
  if (typeof values === 'string') return { ok: false, error: values };
  if (values.help) return { ok: false, help: true };
  const provider = (values.provider as string | undefined) ?? 'embedded';
  if (provider !== 'embedded' && provider !== 'gemini') return { ok: false, error: `--provider must be "embedded" or "gemini", got "${provider}"` };
  const run = parseRunOptions(values, 60);
  return typeof run === 'string' ? { ok: false, error: run } : { ok: true, options: { ...run, provider, keep: values.keep === true } };
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
  --judge NAME        gemini: a Gemini model judges each image's content (needs Gemini credentials);
                      none: pixel metrics only (default: gemini for Gemini images when the deployment has a judge)`;
