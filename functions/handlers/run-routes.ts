import { randomBytes } from 'node:crypto';
import { ABANDONED_AFTER_MS, type ActiveRun } from '../core/participants.js';
import { planPrompts } from '../core/planner.js';
import { estimateRunCost } from '../core/pricing.js';
import { reviewInputSchema } from '../core/review.js';
import { formatIssues, parseRunRequest } from '../core/run-request.js';
import { deriveRunState, newPromptRecord, type PromptRecord, type RunRecord } from '../core/run-model.js';
import { runQuality, type PromptQuality } from '../core/run-quality.js';
import { defaultRunId, type ApiDependencies } from './api.js';
import type { Principal } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { ID, PROMPT_ID, type Route } from './route.js';

/** Runs: create, list, follow, read prompts and images, and review images. */
export function runRoutes(deps: ApiDependencies): Route[] {
  const now = deps.now ?? Date.now;
  const newRunId = deps.newRunId ?? (() => defaultRunId(now()));

  /** Another participant's run answers 404, exactly as a run that does not exist. */
  async function loadRun(runId: string, principal: Principal): Promise<RunRecord> {
    const run = await deps.store.getRun(runId);
    if (!run || (principal.role !== 'instructor' && run.owner !== principal.id)) throw new HttpError(404, 'NOT_FOUND', `run ${runId} does not exist`);
    return run;
  }

  /** A booked run is finished once all its prompts are; one whose document never appeared was abandoned. */
  async function isFinished(active: ActiveRun): Promise<boolean> {
    const run = await deps.store.getRun(active.runId);
    if (!run) return now() - active.reservedAt > ABANDONED_AFTER_MS;
    return deriveRunState(run, await deps.store.countByStatus(active.runId)) === 'completed';
  }

  return [
    {
      method: 'POST',
      pattern: /^\/v1\/runs$/,
      async handle({ req, res, principal }) {
        const parsed = parseRunRequest(readJsonBody(req), deps.builtins(), deps.defaultScenario);
        if (!parsed.ok) throw new HttpError(400, 'INVALID_ARGUMENT', parsed.message);
        const { scenario, count, categories, image } = parsed.value;
        const judge = resolveJudge(parsed.value.judge, deps.judge ?? null, deps.provider.name);
        const seed = parsed.value.seed ?? randomBytes(4).readUInt32BE(0);
        const runId = newRunId();
        const planned = planPrompts(scenario, { count, seed, ...(categories ? { categories } : {}) });
        if (principal.role === 'participant') {
          // Booked in a transaction before anything is written, so a burst of requests cannot overrun a quota.
          const reservation = await deps.participants.reserveRun(principal.id, { runId, reservedAt: now() }, planned.length, isFinished);
          if (!reservation.ok) throw new HttpError(429, 'RESOURCE_EXHAUSTED', reservation.message);
        }
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
          costEstimate: estimateRunCost(deps.provider.model, planned.length, judge === 'gemini' ? (deps.judge?.model ?? null) : null),
          judge,
        };
        await deps.store.createRun(run, planned.map((prompt) => newPromptRecord(runId, prompt, image)));
        const { failed, error } = await deps.publisher.publish(planned.map((prompt) => ({ runId, promptId: prompt.promptId })));
        if (failed.length > 0) {
          // Nothing is lost: the unpublished prompts end `failed` with the reason, and the caller learns of it.
          await deps.store.markPublishFailed(runId, failed, `publish_failed: ${error ?? 'unknown error'}`);
          deps.log.error('publishing failed', { runId, failed: failed.length, error });
          throw new HttpError(503, 'UNAVAILABLE', `run ${runId} was recorded but ${failed.length} of ${planned.length} prompts could not be queued (${error}); they are marked failed — retry the request`);
        }
        deps.log.info('run accepted', { runId, owner: principal.id, planned: planned.length, scenario: scenario.name, seed });
        sendJson(res, 202, { runId, planned: planned.length, seed, statusUrl: `/v1/runs/${runId}` });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/runs$/,
      async handle({ res, principal }) {
        const runs = await deps.store.listRuns(principal.role === 'instructor' ? undefined : principal.id);
        sendJson(res, 200, { runs: runs.map((run) => ({ runId: run.runId, createdAt: run.createdAt, scenario: run.scenario.name, planned: run.count, owner: run.owner })) });
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})$`),
      async handle({ res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const [counts, failures, quality] = await Promise.all([
          deps.store.countByStatus(run.runId),
          deps.store.listFailures(run.runId, 100),
          deps.store.qualitySummary(run.runId),
        ]);
        const state = deriveRunState(run, counts);
        // The run-level report reads every prompt, so it is built once the run is done, not on every poll.
        const report = state === 'completed' ? runQuality(run, await deps.store.listPrompts(run.runId)).report : null;
        const planned = Object.values(counts).reduce((a, b) => a + b, 0);
        const { runId, provider, model, seed, createdAt, image, costEstimate, owner } = run;
        const judge = run.judge ?? 'none';
        sendJson(res, 200, { runId, state, scenario: run.scenario.name, provider, model, seed, createdAt, owner, image, costEstimate, judge, planned, counts, failures, quality, report });
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})/prompts$`),
      async handle({ res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const prompts = await deps.store.listPrompts(run.runId);
        const { byPrompt, thresholds } = runQuality(run, prompts);
        sendJson(res, 200, { run, thresholds, prompts: prompts.map((prompt) => publicPrompt(prompt, byPrompt.get(prompt.promptId))) });
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})/images/(${PROMPT_ID})$`),
      async handle({ req, res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const size = req.query.size;
        if (size !== undefined && size !== 'thumb' && size !== 'full') throw new HttpError(400, 'INVALID_ARGUMENT', 'size must be "thumb" or "full"');
        const prompt = await deps.store.getPrompt(run.runId, params[1] as string);
        const bytes = prompt?.objectName ? await deps.bucket.read(prompt.objectName) : null;
        if (!bytes) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no image for prompt ${params[1]}`);
        const body = size === 'thumb' ? await deps.thumbnail(bytes) : bytes;
        res.status(200).set('Content-Type', 'image/png').set('Cache-Control', 'private, max-age=300').set('X-Content-Type-Options', 'nosniff').send(body);
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^/v1/runs/(${ID})/prompts/(${PROMPT_ID})/review$`),
      async handle({ req, res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const parsed = reviewInputSchema.safeParse(readJsonBody(req));
        if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error));
        const review = { ...parsed.data, reviewedBy: principal.name, reviewedAt: new Date(now()).toISOString() };
        if (!(await deps.store.setReview(run.runId, params[1] as string, review))) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no prompt ${params[1]}`);
        sendJson(res, 200, { review });
      },
    },
  ];
}

/** The prompt as clients see it, with its quality flags; lease bookkeeping stays internal. */
function publicPrompt(prompt: PromptRecord, quality: PromptQuality | undefined) {
  const { leaseOwner: _owner, leaseExpiresAt: _expires, assessedGeneration: _generation, ...visible } = prompt;
  return { ...visible, review: prompt.review ?? null, issues: quality?.issues ?? [], expected: quality?.expected ?? [], duplicateOf: quality?.duplicateOf ?? null };
}

/**
 * A run is judged when it (or its scenario) asks and the deployment can; asking a deployment without
 * a judge is an error. Unasked, a deployment with a judge judges Gemini images, never the embedded renderer's.
 */
function resolveJudge(asked: 'gemini' | 'none' | undefined, available: { model: string } | null, provider: string): 'gemini' | 'none' {
  if (asked === 'gemini' && !available) throw new HttpError(400, 'INVALID_ARGUMENT', 'judge: this deployment has no content judge (JUDGE=none); ask for "none" or deploy with judge = "gemini"');
  return asked ?? (available && provider !== 'embedded' ? 'gemini' : 'none');
}
