/**
 * Revisions: `POST /v1/runs/{runId}:regenerate` and its preview, and `GET /v1/runs/{runId}/revisions`.
 * The preview runs every check the request does and answers with the slots, the new prompts and
 * the cost; neither writes nor books anything when it refuses.
 */
import type { ActiveRun } from '../core/access/index.js';
import { describeSelection } from '../core/revisions/index.js';
import type { RunRecord } from '../core/runs/index.js';
import { defaultRunId, type ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { previewQuota } from './preview-routes.js';
import { loadLineage, loadOwnRun, parseRegenerateRequest, planRevision, type RevisionPlan } from './revision-plan.js';
import { ID, type Route } from './route.js';
import { isBookedRunFinished, publishRun } from './run-create.js';
import { limitWrites } from './write-limit.js';

export function regenerateRoutes(deps: ApiDependencies): Route[] {
  const now = deps.now ?? Date.now;
  const newRunId = deps.newRunId ?? (() => defaultRunId(now()));
  const isFinished = (active: ActiveRun) => isBookedRunFinished(deps, active);

  /** The checks both routes share, cheapest first: the body's schema, the run, the write limit, then the reads planning needs. */
  async function plan(runId: string, principal: Principal, body: unknown, kind: 'runs' | 'previews'): Promise<RevisionPlan> {
    const request = parseRegenerateRequest(body);
    const parent = await loadOwnRun(deps, runId, principal);
    await limitWrites(deps, principal, kind);
    return planRevision(deps, parent, request);
  }

  /**
   * Books the selected slots only, then writes the revision. A failure after the booking gives it
   * back and deletes whatever part of the revision was written.
   */
  async function record(principal: Principal, planned: RevisionPlan, runId: string): Promise<RunRecord> {
    const { parent, root, request, prompts } = planned;
    const booked = principal.role === 'participant';
    if (booked) {
      const reservation = await deps.participants.reserveRun(principal.id, { runId, reservedAt: now() }, prompts.length, isFinished);
      if (!reservation.ok) throw new HttpError(429, 'RESOURCE_EXHAUSTED', reservation.message);
    }
    const run: RunRecord = {
      runId,
      scenario: planned.scenario,
      count: prompts.length,
      seed: planned.seed,
      categories: root.categories,
      provider: deps.provider.name,
      model: deps.provider.model,
      createdAt: new Date(now()).toISOString(),
      state: 'accepted',
      // The lineage stays its owner's, even when the instructor regenerates it.
      owner: parent.owner,
      image: parent.image,
      costEstimate: planned.costEstimate,
      judge: parent.judge ?? 'none',
      revision: { rootRunId: root.runId, parentRunId: parent.runId, number: planned.number, select: request.select, slots: prompts.map((p) => p.promptId), amend: request.amend ?? null, note: request.note ?? null },
    };
    try {
      await deps.store.createRun(run, prompts.map(({ previousPrompt: _previous, ...prompt }) => ({ ...prompt, runId })));
      return run;
    } catch (error) {
      await Promise.allSettled([deps.store.deleteRun(runId), booked ? deps.participants.releaseRun(principal.id, runId, { refundImages: prompts.length, finished: true }) : undefined]);
      deps.log.error('revision creation failed; booking given back and partial records deleted', { runId, owner: principal.id, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/runs/(${ID}):regenerate$`),
      async handle({ req, res, params, principal }) {
        const planned = await plan(params[0] as string, principal, readJsonBody(req), 'runs');
        const runId = newRunId();
        const run = await record(principal, planned, runId);
        await publishRun(deps, principal, runId, planned.prompts.map((prompt) => prompt.promptId));
        deps.log.info('revision accepted', { runId, rootRunId: planned.root.runId, parentRunId: planned.parent.runId, revision: planned.number, planned: planned.prompts.length, select: describeSelection(planned.request.select) });
        sendJson(res, 202, { runId, rootRunId: planned.root.runId, parentRunId: planned.parent.runId, revision: planned.number, planned: planned.prompts.length, seed: run.seed, statusUrl: `/v1/runs/${runId}` });
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/runs/(${ID}):regenerate:preview$`),
      async handle({ req, res, params, principal }) {
        const planned = await plan(params[0] as string, principal, readJsonBody(req), 'previews');
        const quota = await previewQuota(deps, principal, planned.prompts.length);
        sendJson(res, 200, {
          rootRunId: planned.root.runId,
          parentRunId: planned.parent.runId,
          revision: planned.number,
          select: planned.request.select,
          planned: planned.prompts.length,
          slots: planned.prompts.map(({ promptId, category, variables, version, replaces, prompt, previousPrompt }) => ({ promptId, category, variables, version, replaces, prompt, previousPrompt })),
          costEstimate: planned.costEstimate,
          quota,
        });
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/runs/(${ID})/revisions$`),
      async handle({ res, params, principal }) {
        const run = await loadOwnRun(deps, params[0] as string, principal);
        const { root, revisions } = await loadLineage(deps, run);
        sendJson(res, 200, {
          rootRunId: root.runId,
          runs: [root, ...revisions].map((entry) => ({
            runId: entry.runId,
            createdAt: entry.createdAt,
            planned: entry.count,
            revision: entry.revision ? { number: entry.revision.number, parentRunId: entry.revision.parentRunId, select: entry.revision.select, slots: entry.revision.slots, amend: entry.revision.amend, note: entry.revision.note } : null,
          })),
        });
      },
    },
  ];
}
