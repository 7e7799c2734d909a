import { z } from 'zod';
import { ownPrototypeKeyPath, reservedScenarioName } from './input-limits.js';
import { closestName } from './suggest.js';
import { DEFAULT_IMAGE_SETTINGS, imageSettingsSchema, referenceIdsSchema, scenarioSchema, type ImageSettings, type Scenario } from './scenario.js';
import { MAX_REFERENCES_PER_PROMPT, MAX_REFERENCES_PER_RUN } from './input-limits.js';
import { referencesFor } from './planner.js';

export const MAX_COUNT = 500;
/** The run document stores the whole scenario, and a Firestore document holds at most 1 MiB. */
export const MAX_SCENARIO_BYTES = 256 * 1024;

/** Unknown fields are rejected (strict), so a typo such as `cout` is never silently ignored. */
export const runRequestSchema = z
  .object({
    scenario: z.union([z.string().min(1).max(120), z.record(z.string(), z.unknown())]).optional(),
    count: z.number({ message: 'count must be a whole number' }).int('count must be a whole number').min(1, 'count must be at least 1').max(MAX_COUNT, `count must be at most ${MAX_COUNT}`),
    seed: z.number().int('seed must be an integer').min(0, 'seed must be ≥ 0').max(Number.MAX_SAFE_INTEGER).optional(),
    categories: z.array(z.string()).min(1, 'categories, when given, must name at least one category').max(100).optional(),
    image: imageSettingsSchema.optional(),
    judge: z.enum(['gemini', 'none'], { message: 'judge must be "gemini" or "none"' }).optional(),
    /** Reference photographs that guide every category of this run, beside each category's own. */
    references: referenceIdsSchema.optional(),
  })
  .strict();

export interface RunRequest {
  scenario: Scenario;
  count: number;
  seed: number | undefined;
  categories: string[] | undefined;
  /** The run's own image settings, else the scenario's, else 1:1 at 1K. */
  image: ImageSettings;
  /** The run's own choice, else the scenario's; undefined lets the deployment decide. */
  judge: 'gemini' | 'none' | undefined;
  /** The run's own reference ids, for all its categories; undefined when it names none. */
  references: string[] | undefined;
}

/** One problem with one field of a request, for a form to show next to that field. */
export interface FieldIssue {
  /** Dotted path into the body, such as `scenario.categories.street.template`; empty for the body itself. */
  field: string;
  message: string;
  /** What the person probably meant, when one known name is clearly closest. */
  suggestion?: string;
}

export type ParseResult = { ok: true; value: RunRequest } | { ok: false; message: string; fields: FieldIssue[] };

/** Field names that unknown keys are compared with, by the path of the object they were found in. */
const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(runRequestSchema.shape)],
  ['image', Object.keys(imageSettingsSchema.shape)],
  ['scenario', Object.keys(scenarioSchema.shape)],
  ['scenario.image', Object.keys(imageSettingsSchema.shape)],
]);

/** The same issues as formatIssues, one per field, with a suggestion where one exists. */
export function fieldIssues(error: z.ZodError, prefix: string[] = []): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const field = [...prefix, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const suggestion = closestName(key, KNOWN_KEYS.get(field) ?? []);
        return { field: field ? `${field}.${key}` : key, message: `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, ...(suggestion ? { suggestion } : {}) };
      });
    }
    const suggestion = issue.code === 'custom' && typeof issue.params?.suggestion === 'string' ? issue.params.suggestion : undefined;
    return [{ field, message: issue.message, ...(suggestion ? { suggestion } : {}) }];
  });
}

const didYouMean = (key: string, known: readonly string[] = []) => {
  const suggestion = closestName(key, known);
  return suggestion ? ` (did you mean "${suggestion}"?)` : '';
};

const failure = (fields: FieldIssue[]): ParseResult => ({ ok: false, fields, message: fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ') });
const failWith = (field: string, message: string, suggestion?: string): ParseResult => failure([{ field, message, ...(suggestion ? { suggestion } : {}) }]);

/** `known` names the fields of the objects in the body, by path, so an unknown field gets a suggestion. */
export function formatIssues(error: z.ZodError, prefix: string[] = [], known: ReadonlyMap<string, readonly string[]> = new Map()): string {
  return error.issues
    .map((issue) => {
      const path = [...prefix, ...issue.path.map(String)].join('.');
      const message =
        issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"${didYouMean(k, known.get(path))}`).join(', ')}` : issue.message;
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Validates a run request and resolves its scenario: a built-in name or an inline scenario object. */
export function parseRunRequest(body: unknown, builtins: ReadonlyMap<string, Scenario>, defaultScenario: string): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failWith('', 'the request body must be a JSON object such as {"count": 20}');
  }
  // First, on the raw JSON: the schema would drop a `__proto__` key silently, at any depth.
  const prototypeAt = ownPrototypeKeyPath(body);
  if (prototypeAt !== null) return failWith(prototypeAt ? `${prototypeAt}.__proto__` : '__proto__', 'unknown field "__proto__"');
  const parsed = runRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: formatIssues(parsed.error, [], KNOWN_KEYS), fields: fieldIssues(parsed.error) };
  const request = parsed.data;

  let scenario: Scenario;
  if (request.scenario === undefined || typeof request.scenario === 'string') {
    const name = request.scenario ?? defaultScenario;
    const found = builtins.get(name);
    if (!found) {
      const suggestion = closestName(name, builtins.keys());
      return failWith('scenario', `unknown built-in scenario "${name}"; ${suggestion ? `did you mean "${suggestion}"? ` : ''}built-in scenarios: ${[...builtins.keys()].join(', ')}`, suggestion);
    }
    scenario = found;
  } else {
    const size = Buffer.byteLength(JSON.stringify(request.scenario));
    if (size > MAX_SCENARIO_BYTES) return failWith('scenario', `an inline scenario is ${size} bytes; the limit is ${MAX_SCENARIO_BYTES} bytes`);
    // On the raw JSON: the schema would silently drop a key such as `__proto__`.
    const reserved = reservedScenarioName(request.scenario);
    if (reserved) return failWith(reserved.path, `name "${reserved.name}" is reserved (names of the form __name__ are Firestore's); rename it`);
    const inline = scenarioSchema.safeParse(request.scenario);
    if (!inline.success) return { ok: false, message: formatIssues(inline.error, ['scenario'], KNOWN_KEYS), fields: fieldIssues(inline.error, ['scenario']) };
    scenario = inline.data;
  }

  const known = Object.keys(scenario.categories);
  const unknown = (request.categories ?? []).filter((category) => !known.includes(category));
  if (unknown.length > 0) {
    const suggestions = unknown.map((c) => closestName(c, known));
    const hint = suggestions.every(Boolean) ? `did you mean ${suggestions.map((c) => `"${c}"`).join(', ')}? ` : '';
    return failWith('categories', `${unknown.map((c) => `"${c}"`).join(', ')} not in scenario "${scenario.name}"; ${hint}choose from ${known.join(', ')}`, hint ? suggestions.join(',') : undefined);
  }
  const categories = request.categories ? [...new Set(request.categories)] : undefined;
  const references = request.references?.length ? [...new Set(request.references)] : undefined;
  // A category's own and the run's together: the bound holds per prompt, so it is checked on their union.
  const named = new Set<string>();
  for (const name of categories ?? known) {
    const guiding = referencesFor(scenario, name, references);
    if (guiding.length > MAX_REFERENCES_PER_PROMPT) {
      return failWith('references', `category "${name}" would be guided by ${guiding.length} references (its own and the run's); at most ${MAX_REFERENCES_PER_PROMPT} guide one prompt`);
    }
    for (const id of guiding) named.add(id);
  }
  // Every named reference is read before the run is accepted, so their number is bounded first.
  if (named.size > MAX_REFERENCES_PER_RUN) return failWith('references', `the run names ${named.size} different references; at most ${MAX_REFERENCES_PER_RUN} may guide one run`);
  const image = request.image ?? scenario.image ?? DEFAULT_IMAGE_SETTINGS;
  return { ok: true, value: { scenario, count: request.count, seed: request.seed, categories, image, judge: request.judge ?? scenario.judge, references } };
}
