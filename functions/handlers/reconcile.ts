import type { CloudEvent, Request, Response } from '@google-cloud/functions-framework';
import type { ImageBucket, Logger, ParticipantStore, PromptPublisher, RunLifecycleStore, RunStore } from '../core/ports.js';
import { CANCELLED, decideReconcile, decideVerdict, runIsJudged, staleCutoffs, type ReconcileSettings, type TickSummary, type VerdictAction } from '../core/runs/index.js';
import { imageObjectName, type PromptRecord, type RunRecord } from '../core/runs/index.js';
import type { StorageObjectData } from './assess.js';
import { INSTRUCTOR_ID } from './auth.js';
import type { Done } from './event-outcome.js';

export interface ReconcileDependencies {
  lifecycle: RunLifecycleStore;
  store: Pick<RunStore, 'getRun' | 'countVerdictsOwed'>;
  publisher: PromptPublisher;
  participants: Pick<ParticipantStore, 'releaseRun'>;
  /**
   * Assesses a stored image whose finalize event never arrived, or judges again an image whose
   * verdict is owed and stale (the assessor's own code, in process, with the judge when deployed with one).
   */
  reassess: (prompt: PromptRecord) => Promise<string>;
  settings: ReconcileSettings;
  log: Logger;
  now?: () => number;
}

/** Bounds on one tick's work; what is left over waits for the next tick. */
export const MAX_OPEN_RUNS = 1000;
export const MAX_STALE_PER_STAGE = 500;
/** Each one decodes an image: the costliest step, so few per tick. */
export const MAX_REASSESS_PER_TICK = 25;
/** Store calls in flight at once: enough to hide round trips, few enough to stay gentle. */
const CONCURRENCY = 16;

/** Runs `work` over `items`, at most `limit` at a time; resolves with the results in order. */
async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * One reconciler tick: re-queues prompts whose message was lost, assesses images whose
 * finalize event was lost, fails what is past its deadline with a reason, and marks runs
 * completed (freeing the owner's in-flight slot) once every prompt has ended. Everything it
 * does is idempotent, so overlapping or repeated ticks are harmless. It logs what it read and wrote.
 */
export function makeReconcileHandler(deps: ReconcileDependencies) {
  const now = deps.now ?? Date.now;
  return async function reconcile(): Promise<TickSummary> {
    const started = now();
    const before = deps.lifecycle.usage();
    let extraReads = 0;
    let extraWrites = 0;
    const [open, stale] = await Promise.all([deps.lifecycle.listOpenRuns(MAX_OPEN_RUNS), deps.lifecycle.findStalePrompts(staleCutoffs(started, deps.settings), MAX_STALE_PER_STAGE)]);

    const runs = new Map<string, RunRecord | null>(open.map((run) => [run.runId, run]));
    const unknown = [...new Set(stale.map((prompt) => prompt.runId).filter((runId) => !runs.has(runId)))];
    for (const [i, run] of (await mapLimit(unknown, CONCURRENCY, (runId) => deps.store.getRun(runId))).entries()) runs.set(unknown[i] as string, run);
    extraReads += unknown.length;
    const actions = stale.map((prompt) => decideReconcile(prompt, runs.get(prompt.runId) ?? null, started, deps.settings));

    // After a restart, Firestore may be a save older than the images, or a worker died after storing one:
    // an orphaned prompt whose image is stored is assessed, not generated again. A lease whose worker died
    // in the restart is freed before the re-queue; a prompt that moved meanwhile is left alone.
    let reassessed = 0;
    const ready = await mapLimit(actions, CONCURRENCY, async (action) => {
      if (action.kind !== 'requeue' || !action.orphaned) return true;
      const { runId, promptId } = action.prompt;
      try {
        const outcome = await deps.reassess(action.prompt);
        if (outcome !== NO_IMAGE_STORED) {
          reassessed += 1;
          deps.log.info('assessed an image stored before the restart', { runId, promptId, outcome });
          return false;
        }
      } catch (error) {
        deps.log.warn('could not look for an image stored before the restart; the next tick tries again', { runId, promptId, error: error instanceof Error ? error.message : String(error) });
        return false;
      }
      return !action.release || deps.lifecycle.releaseOrphanedLease(runId, promptId, action.release);
    });
    const requeue = actions.flatMap((action, i) => (action.kind === 'requeue' && ready[i] ? [{ runId: action.prompt.runId, promptId: action.prompt.promptId }] : []));
    let requeued = 0;
    if (requeue.length > 0) {
      const { failed, error } = await deps.publisher.publish(requeue);
      if (failed.length > 0) deps.log.error('re-queue: some messages could not be published; the next tick tries again', { failed: failed.length, error });
      // Failures are reported by prompt id alone; a prompt left unmarked is only queued once more next tick.
      const unpublished = new Set(failed);
      const published = requeue.filter((message) => !unpublished.has(message.promptId));
      await deps.lifecycle.markQueued(published, started);
      requeued = published.length;
    }

    for (const action of actions.filter((entry) => entry.kind === 'reassess').slice(0, MAX_REASSESS_PER_TICK)) {
      const { runId, promptId } = action.prompt;
      try {
        const outcome = await deps.reassess(action.prompt);
        reassessed += 1;
        deps.log.info('reassessed a generated image whose finalize event never came', { runId, promptId, outcome });
      } catch (error) {
        deps.log.warn('reassessment failed; the next stale tick tries again', { runId, promptId, error: error instanceof Error ? error.message : String(error) });
      }
      await deps.lifecycle.markQueued([{ runId, promptId }], started);
    }

    const lost = await mapLimit(actions.filter((entry) => entry.kind === 'fail'), CONCURRENCY, async (action) => {
      const { runId, promptId } = action.prompt;
      if (!(await deps.lifecycle.markLost(runId, promptId, action.observed, action.reason))) return 0;
      deps.log.warn('prompt failed', { runId, promptId, reason: action.reason });
      return 1;
    });
    const failed = lost.reduce<number>((sum, one) => sum + one, 0);

    let judgesLost = 0;
    /** A judged run is finished once every verdict has ended: owed ones are judged again, or failed past the deadline. */
    const verdictsEnded = async (run: RunRecord): Promise<boolean> => {
      if (!runIsJudged(run) || (await deps.store.countVerdictsOwed(run.runId)) === 0) return true;
      extraReads += 3;
      const owed = await deps.lifecycle.listVerdictsOwed(run.runId, MAX_STALE_PER_STAGE);
      let ended = 0;
      for (const prompt of owed) {
        const { runId, promptId } = prompt;
        // A cancelled run's owed verdicts end now; one whose call is out keeps its lease and is recorded when it comes.
        const action: VerdictAction = run.cancelledAt ? { kind: 'fail', reason: CANCELLED } : decideVerdict(prompt, started, deps.settings);
        if (action.kind === 'fail') {
          if (await deps.lifecycle.markVerdictLost(runId, promptId, prompt.assessedGeneration ?? '', action.reason, started)) {
            judgesLost += 1;
            ended += 1;
            deps.log.warn('verdict failed', { runId, promptId, reason: action.reason });
          }
        } else if (action.kind === 'rejudge' && reassessed < MAX_REASSESS_PER_TICK) {
          reassessed += 1;
          try {
            deps.log.info('judged again an image whose verdict was owed', { runId, promptId, outcome: await deps.reassess(prompt) });
          } catch (error) {
            deps.log.warn('judging again failed; the next stale tick tries again', { runId, promptId, error: error instanceof Error ? error.message : String(error) });
          }
          await deps.lifecycle.markQueued([{ runId, promptId }], started);
        }
      }
      return ended === owed.length;
    };

    const finished = await mapLimit(open, CONCURRENCY, async (run) => {
      if ((await deps.lifecycle.countUnfinished(run.runId)) > 0) return 0;
      if (!(await verdictsEnded(run))) return 0;
      await deps.lifecycle.markRunCompleted(run.runId, now());
      if (run.owner !== INSTRUCTOR_ID) {
        await deps.participants.releaseRun(run.owner, run.runId, { refundImages: 0, finished: true });
        extraReads += 1;
        extraWrites += 1;
      }
      deps.log.info('run completed', { runId: run.runId, owner: run.owner });
      return 1;
    });
    const completedRuns = finished.reduce<number>((sum, one) => sum + one, 0);

    const after = deps.lifecycle.usage();
    const summary: TickSummary = {
      openRuns: open.length,
      stalePrompts: stale.length,
      requeued,
      reassessed,
      failed: failed + judgesLost,
      completedRuns,
      reads: after.reads - before.reads + extraReads,
      writes: after.writes - before.writes + extraWrites,
      published: requeued,
      ms: now() - started,
    };
    deps.log.info('reconcile tick', { ...summary });
    return summary;
  };
}

export const NO_IMAGE_STORED = 'no image stored';

/** The assessor's own handler, fed the finalize event that never came. */
export function reassessWith(assess: (event: CloudEvent<StorageObjectData>) => Promise<Done>, bucket: Pick<ImageBucket, 'stat'>, bucketName: string) {
  return async (prompt: PromptRecord): Promise<string> => {
    const name = prompt.objectName ?? imageObjectName(prompt.runId, prompt.category, prompt.promptId);
    const generation = prompt.objectGeneration ?? (await bucket.stat(name))?.generation;
    if (!generation) return NO_IMAGE_STORED;
    const done = await assess({
      specversion: '1.0',
      id: `reconcile-${prompt.runId}-${prompt.promptId}-${generation}`,
      source: 'reconciler',
      type: 'google.cloud.storage.object.v1.finalized',
      subject: `objects/${name}`,
      data: { bucket: bucketName, name, generation, contentType: 'image/png' },
    });
    return done.done === 'skipped' ? `skipped: ${done.reason}` : done.done;
  };
}

/** Cloud Scheduler (deployed) and the local stack's timer POST here; each POST runs one tick. */
export function makeReconcileHttpHandler(tick: () => Promise<TickSummary>, log: Logger) {
  return async function reconcileHttp(req: Request, res: Response): Promise<void> {
    if (req.method !== 'POST') {
      res.status(405).set('Allow', 'POST').json({ error: { code: 'METHOD_NOT_ALLOWED', message: 'POST runs one reconcile tick' } });
      return;
    }
    try {
      res.status(200).json(await tick());
    } catch (error) {
      // A 500 makes Cloud Scheduler record the failure; the next tick starts afresh.
      log.error('reconcile tick failed', { error: error instanceof Error ? error.stack : String(error) });
      res.status(500).json({ error: { code: 'INTERNAL', message: 'the reconcile tick failed; it has been logged' } });
    }
  };
}
