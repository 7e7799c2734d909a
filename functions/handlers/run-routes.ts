import { ABANDONED_AFTER_MS, type ActiveRun } from '../core/access/index.js';
import { reviewInputSchema, spotCheckResult, spotCheckSample } from '../core/runs/index.js';
import { formatIssues } from '../core/scenario/index.js';
import { deriveRunState, type RunRecord } from '../core/runs/index.js';
import { defaultRunId, type ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { ID, PROMPT_ID, type Route } from './route.js';
import { listPrompts, listRuns, runStatus, serveImage } from './run-views.js';
import { recordRun, validateRunRequest } from './run-create.js';
import { limitWrites } from './write-limit.js';

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
    if (run.summary) return true;
    return deriveRunState(run, await deps.store.countByStatus(active.runId)) === 'completed';
  }

  /** Participants' names by id, so run lists show people rather than ids; a participant sees only their own. */
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/runs$/,
      async handle({ req, res, principal }) {
        // Cheapest first: size and schema (readJsonBody, validateRunRequest), then the write limit and quota, then planning.
        const request = validateRunRequest(deps, readJsonBody(req));
        const runId = newRunId();
        const { run, planned } = await recordRun(deps, principal, request, runId, isFinished);
        const { scenario, seed } = run;
        const { failed, error } = await deps.publisher.publish(planned.map((prompt) => ({ runId, promptId: prompt.promptId })));
        if (failed.length > 0) {
          // Nothing is lost: the unpublished prompts end `failed` with the reason, and the caller learns of it.
          await deps.store.markPublishFailed(runId, failed, `publish_failed: ${error ?? 'unknown error'}`);
          // The unqueued prompts will never be generated: their images go back to the caller's quota.
          if (principal.role === 'participant') await deps.participants.releaseRun(principal.id, runId, { refundImages: failed.length, finished: failed.length === planned.length });
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
      async handle({ req, res, principal }) {
        await listRuns(deps, req, res, principal);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})$`),
      async handle({ res, params, principal }) {
        sendJson(res, 200, await runStatus(deps, await loadRun(params[0] as string, principal)));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})/prompts$`),
      async handle({ req, res, params, principal }) {
        await listPrompts(deps, req, res, await loadRun(params[0] as string, principal));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})/images/(${PROMPT_ID})$`),
      async handle({ req, res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const size = req.query.size;
        if (size !== undefined && size !== 'thumb' && size !== 'full') throw new HttpError(400, 'INVALID_ARGUMENT', 'size must be "thumb" or "full"');
        await serveImage(deps, req, res, run, params[1] as string, size ?? 'full');
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})/spot-check$`),
      async handle({ req, res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const seedText = req.query.seed;
        if (seedText !== undefined && !(typeof seedText === 'string' && /^\d{1,9}$/.test(seedText))) throw new HttpError(400, 'INVALID_ARGUMENT', 'seed must be a whole number from 0 to 999999999');
        const seed = seedText === undefined ? run.seed : Number(seedText);
        // Only images that exist can be looked at; the sample is drawn from them.
        const withImage = (await deps.store.listPrompts(run.runId)).filter((prompt) => prompt.status === 'assessed' || prompt.status === 'generated');
        const promptIds = spotCheckSample(withImage, { seed });
        const chosen = new Set(promptIds);
        const sample = withImage.filter((prompt) => chosen.has(prompt.promptId));
        sendJson(res, 200, { runId: run.runId, seed, promptIds, ...spotCheckResult(sample) });
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^/v1/runs/(${ID})/prompts/(${PROMPT_ID})/review$`),
      async handle({ req, res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const parsed = reviewInputSchema.safeParse(readJsonBody(req));
        if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error));
        await limitWrites(deps, principal, 'reviews');
        const review = { ...parsed.data, reviewedBy: principal.name, reviewedAt: new Date(now()).toISOString() };
        if (!(await deps.store.setReview(run.runId, params[1] as string, review))) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no prompt ${params[1]}`);
        sendJson(res, 200, { review });
      },
    },
  ];
}
