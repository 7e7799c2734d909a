/**
 * Checks a scenario file and the chosen categories on this machine, before any process starts or
 * any request is sent, with the same schema the api uses. Every problem says where it is (file,
 * line and column, or the field's path) and offers the close name when there is one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { MAX_SCENARIO_BYTES, ownPrototypeKeyPath } from '../../functions/core/scenario/index.js';
import { scenarioSchema, type Scenario } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { closestName, didYouMean } from '../../functions/core/scenario/index.js';

export type ScenarioCheck = { ok: true; scenario: Scenario } | { ok: false; error: string };

/** The fields each strict object of the schema accepts, by where the object sits. */
const TOP_FIELDS = ['name', 'description', 'context', 'style', 'variables', 'categories', 'image', 'quality'];
const CATEGORY_FIELDS = ['template', 'variables', 'weight'];
const FIELDS_AT: Record<string, string[]> = { image: ['aspectRatio', 'imageSize'], quality: ['thresholds'] };
const RESERVED_PLACEHOLDERS = ['context', 'style'];

export function checkScenario(file: string | undefined, categories: string[] | undefined): ScenarioCheck {
  if (file === undefined) return checkCategories(builtinScenarios().get(DEFAULT_SCENARIO) as Scenario, categories, 'the built-in scenario');
  const text = readScenario(file);
  if (!text.ok) return text;
  if (Buffer.byteLength(text.text) > MAX_SCENARIO_BYTES) return fail(`${file}: the scenario is ${Buffer.byteLength(text.text)} bytes; the limit is ${MAX_SCENARIO_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(text.text);
  } catch (error) {
    return fail(`${file}${jsonErrorPlace(text.text, (error as Error).message)}: not valid JSON: ${(error as Error).message}`);
  }
  const prototypeAt = ownPrototypeKeyPath(json);
  if (prototypeAt !== null) return fail(`${file}: ${prototypeAt ? `${prototypeAt}.` : ''}__proto__: unknown field "__proto__"`);
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) return fail(parsed.error.issues.map((issue) => `${file}: ${describeIssue(issue, json)}`).join('\n'));
  return checkCategories(parsed.data, categories, file);
}

const fail = (error: string): ScenarioCheck => ({ ok: false, error });

function readScenario(file: string): { ok: true; text: string } | { ok: false; error: string } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, error: `scenario file ${file} does not exist${siblingHint(file)}` };
    if (code === 'EISDIR') return { ok: false, error: `scenario file ${file} is a directory; give a .json file` };
    if (code === 'EACCES') return { ok: false, error: `scenario file ${file} cannot be read: permission denied` };
    return { ok: false, error: `scenario file ${file} cannot be read: ${(error as Error).message}` };
  }
}

/** A file of nearly the same name in the same folder, such as `scenario.jsn` for `scenario.json`. */
function siblingHint(file: string): string {
  let entries: string[];
  try {
    entries = readdirSync(dirname(resolve(file)));
  } catch {
    return '';
  }
  const match = closestName(basename(file), entries);
  return match === undefined ? '' : `; did you mean ${resolve(dirname(file)) === resolve('.') ? match : `${dirname(file)}/${match}`}?`;
}

/** ` (line L, column C)` from the parser's `position N`, which is all Node 20 reports. */
function jsonErrorPlace(text: string, message: string): string {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return /end of JSON input/.test(message) ? ' (at the end)' : '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  const path = issue.path.map(String);
  const where = path.length ? `${path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const known = path.length === 0 ? TOP_FIELDS : path[0] === 'categories' && path.length === 2 ? CATEGORY_FIELDS : (FIELDS_AT[path[0] as string] ?? []);
    return issue.keys.map((key) => `${where}unknown field "${key}"${didYouMean(key, known)}`).join('; ');
  }
  const placeholder = /^unknown placeholder \{([^}]*)\}/.exec(issue.message)?.[1];
  if (placeholder !== undefined && path[0] === 'categories') {
    const known = [...RESERVED_PLACEHOLDERS, ...variableNames(json, []), ...variableNames(json, ['categories', path[1] as string])];
    // The schema's own message already suggests among the scenario's names; this adds the reserved ones.
    return issue.message.includes('did you mean') ? `${where}${issue.message}` : `${where}${issue.message}${didYouMean(placeholder, known, (name) => `{${name}}`)}`;
  }
  const threshold = /^unknown quality threshold "([^"]+)"/.exec(issue.message)?.[1];
  if (threshold !== undefined) {
    const known = /\(known: ([^)]*)\)/.exec(issue.message)?.[1]?.split(', ') ?? [];
    return `${where}unknown quality threshold "${threshold}"${didYouMean(threshold, known)}; known: ${known.join(', ')}`;
  }
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message)?.[1];
  if (missing !== undefined) return `${where}missing; it must be a ${missing}`;
  return `${where}${issue.message}`;
}

/** The variable names at `path` in the raw JSON, for suggestions. */
function variableNames(json: unknown, path: string[]): string[] {
  let node: unknown = json;
  for (const key of [...path, 'variables']) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return [];
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'object' && node !== null ? Object.keys(node) : [];
}

function checkCategories(scenario: Scenario, categories: string[] | undefined, source: string): ScenarioCheck {
  const known = Object.keys(scenario.categories);
  for (const category of categories ?? []) {
    if (!Object.hasOwn(scenario.categories, category)) {
      const hint = closestName(category, known);
      return fail(`--categories: "${category}" is not a category of ${source}${hint === undefined ? '.' : `; did you mean "${hint}"?`} Its categories: ${known.join(', ')}`);
    }
  }
  return { ok: true, scenario };
}
