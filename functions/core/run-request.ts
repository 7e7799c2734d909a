import { z } from 'zod';
import { DEFAULT_IMAGE_SETTINGS, imageSettingsSchema, scenarioSchema, type ImageSettings, type Scenario } from './scenario.js';

export const MAX_COUNT = 500;
/** The run document stores the whole scenario, and a Firestore document holds at most 1 MiB. */
export const MAX_SCENARIO_BYTES = 256 * 1024;

/** Unknown fields are rejected (strict), so a typo such as `cout` is never silently ignored. */
const runRequestSchema = z
  .object({
    scenario: z.union([z.string().min(1).max(120), z.record(z.string(), z.unknown())]).optional(),
    count: z.number({ message: 'count must be a whole number' }).int('count must be a whole number').min(1, 'count must be at least 1').max(MAX_COUNT, `count must be at most ${MAX_COUNT}`),
    seed: z.number().int('seed must be an integer').min(0, 'seed must be ≥ 0').max(Number.MAX_SAFE_INTEGER).optional(),
    categories: z.array(z.string()).min(1, 'categories, when given, must name at least one category').max(100).optional(),
    image: imageSettingsSchema.optional(),
    judge: z.enum(['gemini', 'none'], { message: 'judge must be "gemini" or "none"' }).optional(),
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
}

export type ParseResult = { ok: true; value: RunRequest } | { ok: false; message: string };

export function formatIssues(error: z.ZodError, prefix: string[] = []): string {
  return error.issues
    .map((issue) => {
      const path = [...prefix, ...issue.path.map(String)].join('.');
      const message =
        issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Validates a run request and resolves its scenario: a built-in name or an inline scenario object. */
export function parseRunRequest(body: unknown, builtins: ReadonlyMap<string, Scenario>, defaultScenario: string): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'the request body must be a JSON object such as {"count": 20}' };
  }
  const parsed = runRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: formatIssues(parsed.error) };
  const request = parsed.data;

  let scenario: Scenario;
  if (request.scenario === undefined || typeof request.scenario === 'string') {
    const name = request.scenario ?? defaultScenario;
    const found = builtins.get(name);
    if (!found) return { ok: false, message: `scenario: unknown built-in scenario "${name}"; built-in scenarios: ${[...builtins.keys()].join(', ')}` };
    scenario = found;
  } else {
    const size = Buffer.byteLength(JSON.stringify(request.scenario));
    if (size > MAX_SCENARIO_BYTES) return { ok: false, message: `scenario: an inline scenario is ${size} bytes; the limit is ${MAX_SCENARIO_BYTES} bytes` };
    const inline = scenarioSchema.safeParse(request.scenario);
    if (!inline.success) return { ok: false, message: formatIssues(inline.error, ['scenario']) };
    scenario = inline.data;
  }

  const known = Object.keys(scenario.categories);
  const unknown = (request.categories ?? []).filter((category) => !known.includes(category));
  if (unknown.length > 0) {
    return { ok: false, message: `categories: ${unknown.map((c) => `"${c}"`).join(', ')} not in scenario "${scenario.name}"; choose from ${known.join(', ')}` };
  }
  const categories = request.categories ? [...new Set(request.categories)] : undefined;
  const image = request.image ?? scenario.image ?? DEFAULT_IMAGE_SETTINGS;
  return { ok: true, value: { scenario, count: request.count, seed: request.seed, categories, image, judge: request.judge ?? scenario.judge } };
}
