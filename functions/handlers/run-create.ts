/**
 * Creating a run, in order of cost: the body's size and schema (with every bound that makes
 * planning cheap), the caller's write limit, the quota booking, and only then planning and
 * writing. `validateRunRequest` writes nothing, so a preview can share it with POST.
 */
import { randomBytes } from 'node:crypto';
import { ABANDONED_AFTER_MS, type ActiveRun } from '../core/access/index.js';
import { planPrompts, type PlannedPrompt } from '../core/scenario/index.js';
import { estimateRunCost, referenceImageTokens, referenceInputOf, type ReferenceInput } from '../core/runs/index.js';
import { parseRunRequest, referencesFor, type RunRequest } from '../core/scenario/index.js';
import { newPromptRecord, type RunRecord } from '../core/runs/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError } from './http.js';
import { limitWrites } from './write-limit.js';
import { currentRunState } from './run-state.js';
import { canSee } from './reference-routes.js';

export type ValidatedRun = RunRequest & {
  seed: number;
  judge: 'gemini' | 'none';
  /** Each named reference's input tokens, once resolveReferences has checked it exists and the caller may use it. */
  referenceTokens?: ReadonlyMap<string, number>;
};

/** Schema, scenario and bounds; 400 naming the field. Reads and writes nothing. */
export function validateRunRequest(deps: Pick<ApiDependencies, 'builtins' | 'defaultScenario' | 'judge' | 'provider'>, body: unknown): ValidatedRun {
  const parsed = parseRunRequest(body, deps.builtins(), deps.defaultScenario);
  if (!parsed.ok) throw new HttpError(400, 'INVALID_ARGUMENT', parsed.message, {}, parsed.fields);
  const judge = resolveJudge(parsed.value.judge, deps.judge ?? null, deps.provider.name);
  return { ...parsed.value, seed: parsed.value.seed ?? randomBytes(4).readUInt32BE(0), judge };
}

/**
 * Every reference the run would use (the run's own, and those of the categories it plans) must
 * exist and be the caller's own or shared (the instructor may use any); else 400 naming the field,
 * in the same words for another participant's reference as for one that does not exist. Reads only.
 */
export async function resolveReferences(deps: Pick<ApiDependencies, 'references'>, principal: Principal, request: ValidatedRun): Promise<ValidatedRun> {
  const fieldOf = new Map<string, string>();
  for (const id of request.references ?? []) fieldOf.set(id, 'references');
  for (const category of request.categories ?? Object.keys(request.scenario.categories)) {
    for (const id of referencesFor(request.scenario, category)) if (!fieldOf.has(id)) fieldOf.set(id, `scenario.categories.${category}.references`);
  }
  if (fieldOf.size === 0) return request;
  const store = deps.references?.store;
  const records = await Promise.all([...fieldOf.keys()].map(async (id) => [id, store ? await store.get(id) : null] as const));
  const tokens = new Map<string, number>();
  for (const [id, record] of records) {
    if (!canSee(principal, record)) {
      const field = fieldOf.get(id) ?? 'references';
      const message = `reference ${id} does not exist`;
      throw new HttpError(400, 'INVALID_ARGUMENT', `${field}: ${message}`, {}, [{ field, message }]);
    }
    tokens.set(id, referenceImageTokens(record.width, record.height));
  }
  return { ...request, referenceTokens: tokens };
}

/** The input tokens of each stored reference among `ids`; one deleted since is left out, as the generator leaves it out. */
export async function storedReferenceTokens(deps: Pick<ApiDependencies, 'references'>, ids: readonly string[]): Promise<Map<string, number>> {
  const store = deps.references?.store;
  const records = store ? await Promise.all([...new Set(ids)].map((id) => store.get(id))) : [];
  return new Map(records.flatMap((record) => (record ? [[record.referenceId, referenceImageTokens(record.width, record.height)] as const] : [])));
}

/**
 * A run is judged when it (or its scenario) asks and the deployment can; asking a deployment without
 * a judge is an error. Unasked, a deployment with a judge judges Gemini images, never the embedded renderer's.
 */
function resolveJudge(asked: 'gemini' | 'none' | undefined, available: { model: string } | null, provider: string): 'gemini' | 'none' {
  if (asked === 'gemini' && !available) throw new HttpError(400, 'INVALID_ARGUMENT', 'judge: this deployment has no content judge (JUDGE=none); ask for "none" or deploy with judge = "gemini"');
  return asked ?? (available && provider !== 'embedded' ? 'gemini' : 'none');
}

/** Images plus, when the run is judged, the judge's calls, and the references' input tokens. */
export const runCost = (deps: Pick<ApiDependencies, 'judge' | 'provider'>, request: Pick<ValidatedRun, 'judge'>, images: number, references?: ReferenceInput) =>
  estimateRunCost(deps.provider.model, images, request.judge === 'gemini' ? (deps.judge?.model ?? null) : null, references);

/** Pure and bounded: at most 500 prompts, each within MAX_PROMPT_BYTES (the schema guarantees it). */
export function planRun(request: ValidatedRun): PlannedPrompt[] {
  const { categories, references } = request;
  return planPrompts(request.scenario, { count: request.count, seed: request.seed, ...(categories ? { categories } : {}), ...(references ? { references } : {}) });
}

export interface CreatedRun {
  run: RunRecord;
  planned: PlannedPrompt[];
}

/**
 * Books the run against the caller's quota, plans it and records it. A failure after the
 * booking gives the booking back and deletes whatever part of the run was written.
 */
export async function recordRun(
  deps: ApiDependencies,
  principal: Principal,
  request: ValidatedRun,
  runId: string,
  isFinished: (run: ActiveRun) => Promise<boolean>,
): Promise<CreatedRun> {
  const now = deps.now ?? Date.now;
  await limitWrites(deps, principal, 'runs');
  const booked = principal.role === 'participant';
  if (booked) {
    // The planner makes exactly `count` prompts, so the booking needs no plan: planning comes after it.
    const reservation = await deps.participants.reserveRun(principal.id, { runId, reservedAt: now() }, request.count, isFinished);
    if (!reservation.ok) throw new HttpError(429, 'RESOURCE_EXHAUSTED', reservation.message);
  }
  try {
    const planned = planRun(request);
    const { scenario, count, categories, image, seed } = request;
    const run: RunRecord = {
      runId,
      scenario,
      count,
      seed,
      categories: categories ?? Object.keys(scenario.categories),
      provider: deps.provider.name,
      model: deps.provider.model,
      createdAt: new Date(now()).toISOString(),
      state: 'accepted',
      owner: principal.id,
      image,
      costEstimate: runCost(deps, request, planned.length, referenceInputOf(planned, request.referenceTokens ?? new Map())),
      judge: request.judge,
    };
    await deps.store.createRun(run, planned.map((prompt) => newPromptRecord(runId, prompt, image)));
    return { run, planned };
  } catch (error) {
    await Promise.allSettled([deps.store.deleteRun(runId), booked ? deps.participants.releaseRun(principal.id, runId, { refundImages: request.count, finished: true }) : undefined]);
    deps.log.error('run creation failed; booking given back and partial records deleted', { runId, owner: principal.id, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/**
 * Queues one message per prompt. Nothing is lost when some cannot be queued: those prompts end
 * `failed` with the reason, their images go back to the caller's quota, and the caller gets a 503.
 */
export async function publishRun(deps: ApiDependencies, principal: Principal, runId: string, promptIds: readonly string[]): Promise<void> {
  const { failed, error } = await deps.publisher.publish(promptIds.map((promptId) => ({ runId, promptId })));
  if (failed.length === 0) return;
  await deps.store.markPublishFailed(runId, failed, `publish_failed: ${error ?? 'unknown error'}`);
  if (principal.role === 'participant') await deps.participants.releaseRun(principal.id, runId, { refundImages: failed.length, finished: failed.length === promptIds.length });
  deps.log.error('publishing failed', { runId, failed: failed.length, error });
  throw new HttpError(503, 'UNAVAILABLE', `run ${runId} was recorded but ${failed.length} of ${promptIds.length} prompts could not be queued (${error}); they are marked failed — retry the request`);
}

/** A booked run is finished once all its prompts are; one whose document never appeared was abandoned. */
export async function isBookedRunFinished(deps: Pick<ApiDependencies, 'store' | 'now'>, active: ActiveRun): Promise<boolean> {
  const run = await deps.store.getRun(active.runId);
  if (!run) return (deps.now ?? Date.now)() - active.reservedAt > ABANDONED_AFTER_MS;
  if (run.summary) return true;
  return (await currentRunState(deps.store, run)).state === 'completed';
}
