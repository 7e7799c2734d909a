import { decideReservation, type ActiveRun } from '../core/access/index.js';
import { previewRun } from '../core/runs/index.js';
import { currentRunState } from './run-state.js';
import type { ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import type { Route } from './route.js';
import { resolveReferences, validateRunRequest } from './run-create.js';
import { limitWrites } from './write-limit.js';

/** The quota as POST /v1/runs would find it, refusing in the same words when the run would be refused. */
export async function previewQuota(deps: ApiDependencies, principal: Principal, images: number): Promise<{ used: number; left: number | null }> {
  if (principal.role !== 'participant') return { used: 0, left: null };
  const now = deps.now ?? Date.now;
  const participant = await deps.participants.get(principal.id);
  if (!participant) throw new HttpError(401, 'UNAUTHENTICATED', 'the token is not valid (unknown or revoked)');
  const finished = new Set<string>();
  for (const active of participant.activeRuns) if (await isFinished(deps, active)) finished.add(active.runId);
  const decision = decideReservation(participant, { runId: 'preview', reservedAt: now() }, images, deps.quotas, finished);
  if (!decision.ok) throw new HttpError(429, 'RESOURCE_EXHAUSTED', decision.message);
  return { used: participant.imagesUsed, left: Math.max(0, participant.imageQuota - participant.imagesUsed) };
}

async function isFinished(deps: ApiDependencies, active: ActiveRun): Promise<boolean> {
  const run = await deps.store.getRun(active.runId);
  return run !== null && (await currentRunState(deps.store, run)).state === 'completed';
}

/**
 * `POST /v1/runs:preview`: the same body and the same checks as `POST /v1/runs`, answered with the
 * plan, its balance, its cost and the caller's quota. It writes nothing and books nothing.
 */
export function previewRoutes(deps: ApiDependencies): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/runs:preview$/,
      async handle({ req, res, principal }) {
        // The same checks as POST /v1/runs. A preview without a seed gets one, returned, so starting the run with it plans exactly these prompts.
        const request = await resolveReferences(deps, principal, validateRunRequest(deps, readJsonBody(req)));
        // A preview writes nothing but costs planning work: it has a per-caller ceiling of its own, shared by every instance.
        await limitWrites(deps, principal, 'previews');
        // The planner places exactly `count` prompts, so the quota is checked before the planning work.
        const quota = await previewQuota(deps, principal, request.count);
        const preview = previewRun(request, deps.provider.model, request.judge === 'gemini' ? (deps.judge?.model ?? null) : null, request.referenceTokens);
        sendJson(res, 200, { ...preview, scenario: request.scenario.name, image: request.image, quota });
      },
    },
  ];
}
