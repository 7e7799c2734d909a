import type { ActiveRun } from '../core/access/index.js';
import { reviewInputSchema, runQuality, spotCheckReport, validateReviewLabels } from '../core/runs/index.js';
import { formatIssues } from '../core/scenario/index.js';
import type { RunRecord } from '../core/runs/index.js';
import { defaultRunId, type ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { ID, PROMPT_ID, type Route } from './route.js';
import { listPrompts, listRuns, runStatus, serveImage } from './run-views.js';
import { isBookedRunFinished, publishRun, recordRun, resolveReferences, validateRunRequest } from './run-create.js';
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

  const isFinished = (active: ActiveRun) => isBookedRunFinished(deps, active);

  /** Participants' names by id, so run lists show people rather than ids; a participant sees only their own. */
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/runs$/,
      async handle({ req, res, principal }) {
        // Cheapest first: size and schema (readJsonBody, validateRunRequest), then the write limit and quota, then planning.
        // The references are read, never written, before anything is booked: a refused one costs the caller nothing.
        const request = await resolveReferences(deps, principal, validateRunRequest(deps, readJsonBody(req)));
        const runId = newRunId();
        const { run, planned } = await recordRun(deps, principal, request, runId, isFinished);
        const { scenario, seed } = run;
        await publishRun(deps, principal, runId, planned.map((prompt) => prompt.promptId));
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
        const prompts = await deps.store.listPrompts(run.runId);
        // Beside the sample, what the automatic flags found over the whole run.
        const { byPrompt } = runQuality(run, prompts);
        sendJson(res, 200, { runId: run.runId, ...spotCheckReport(prompts, seed, (promptId) => byPrompt.get(promptId)?.issues ?? []) });
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^/v1/runs/(${ID})/prompts/(${PROMPT_ID})/review$`),
      async handle({ req, res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const parsed = reviewInputSchema.safeParse(readJsonBody(req));
        if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error));
        // Labels are checked against the cohort's declaration before anything is written or counted.
        const labelProblems = parsed.data.labels ? validateReviewLabels(parsed.data, await deps.cohortLabels.get()) : [];
        if (labelProblems.length) throw new HttpError(400, 'INVALID_ARGUMENT', labelProblems.join('; '));
        await limitWrites(deps, principal, 'reviews');
        const review = { ...parsed.data, reviewedBy: principal.name, reviewedAt: new Date(now()).toISOString() };
        if (!(await deps.store.setReview(run.runId, params[1] as string, review))) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no prompt ${params[1]}`);
        sendJson(res, 200, { review });
      },
    },
  ];
}
