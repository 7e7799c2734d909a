import type { Logger, ParticipantStore, RunLifecycleStore, RunStore } from '../core/ports.js';
import { CANCELLED, runIsJudged, type RunRecord } from '../core/runs/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import { INSTRUCTOR_ID } from './auth.js';
import { HttpError, sendJson } from './http.js';
import { ID, type Route } from './route.js';

export interface CancelOutcome {
  runId: string;
  /** Prompts that ended `failed` with reason `cancelled`; their images are given back to the owner's quota. */
  cancelled: number;
  /** Prompts still to finish: images already stored, waiting for their assessment. */
  unfinished: number;
}

type CancelDependencies = { store: Pick<RunStore, 'getRun'>; lifecycle: RunLifecycleStore; participants: Pick<ParticipantStore, 'releaseRun'>; log: Logger };

/**
 * Cancels a run: every prompt without an image yet ends `failed: cancelled`, so no model call
 * is made for it any more (a claim finds it finished; a worker already holding it checks
 * before the call). A judged run's owed verdicts end `failed: cancelled` too, but for one whose
 * call is in flight: that verdict is paid for and is recorded when it comes (the reconciler ends
 * it otherwise). The owner gets those images back, and the in-flight slot once nothing is
 * left. Repeating it changes nothing and gives nothing back twice.
 */
export async function cancelRun(deps: CancelDependencies, run: RunRecord, now: number): Promise<CancelOutcome> {
  const cancelled = await deps.lifecycle.cancelPrompts(run.runId, now);
  const { ended: verdictsCancelled, owed: verdictsOwed } = runIsJudged(run) ? await cancelVerdicts(deps.lifecycle, run.runId, now) : { ended: 0, owed: 0 };
  const unfinished = await deps.lifecycle.countUnfinished(run.runId);
  // Completed means every step ended: with a verdict still in flight, the reconciler completes the run later.
  const finished = unfinished === 0 && verdictsOwed === 0;
  if (finished && !run.completedAt) await deps.lifecycle.markRunCompleted(run.runId, now);
  if (run.owner !== INSTRUCTOR_ID) await deps.participants.releaseRun(run.owner, run.runId, { refundImages: cancelled, finished });
  deps.log.info('run cancelled', { runId: run.runId, owner: run.owner, cancelled, unfinished, verdictsCancelled, verdictsOwed });
  return { runId: run.runId, cancelled, unfinished };
}

/** Ends the run's owed verdicts `failed: cancelled`, a page at a time; `owed`: those left, held by a worker whose call is out. */
async function cancelVerdicts(lifecycle: RunLifecycleStore, runId: string, now: number): Promise<{ ended: number; owed: number }> {
  let ended = 0;
  for (;;) {
    const owed = await lifecycle.listVerdictsOwed(runId, VERDICT_PAGE);
    let endedNow = 0;
    for (const prompt of owed) if (await lifecycle.markVerdictLost(runId, prompt.promptId, prompt.assessedGeneration ?? '', CANCELLED, now)) endedNow += 1;
    ended += endedNow;
    if (endedNow === 0 || owed.length < VERDICT_PAGE) return { ended, owed: owed.length - endedNow };
  }
}

const VERDICT_PAGE = 100;

/** Cancels every open run of one owner (or of everyone): revoking and purging do this first. */
export async function cancelRunsOf(deps: CancelDependencies & { store: Pick<RunStore, 'listRuns'> }, owner: string | undefined, now: number): Promise<number> {
  let cancelled = 0;
  for (const run of await deps.store.listRuns(owner)) {
    if (!run.completedAt) cancelled += (await cancelRun(deps, run, now)).cancelled;
  }
  return cancelled;
}

/** `POST /v1/runs/{runId}:cancel`, for the run's owner or the instructor. */
export function cancelRoutes(deps: ApiDependencies): Route[] {
  const now = deps.now ?? Date.now;
  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/runs/(${ID}):cancel$`),
      async handle({ res, params, principal }) {
        const runId = params[0] as string;
        const run = await deps.store.getRun(runId);
        if (!run || (principal.role !== 'instructor' && run.owner !== principal.id)) throw new HttpError(404, 'NOT_FOUND', `run ${runId} does not exist`);
        sendJson(res, 200, await cancelRun(deps, run, now()));
      },
    },
  ];
}
