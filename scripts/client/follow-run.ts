import type { ApiClient, RunStatus } from './api-client.js';
import { createProgress, type Progress } from './progress.js';

export interface FollowOptions {
  /** Give up when nothing has changed for this long. */
  stallTimeoutMs?: number;
  pollMs?: number;
  progress?: Progress;
  /** When the run was requested, so the bar's rate is the summary's. */
  startedAt?: number;
}

export class RunStalledError extends Error {}

/** Polls a run until it completes (every prompt assessed or failed, and judged when the judge is on), drawing progress as it goes. */
export async function followRun(client: ApiClient, runId: string, options: FollowOptions = {}): Promise<RunStatus> {
  const progress = options.progress ?? createProgress({ ...(options.startedAt === undefined ? {} : { startedAt: options.startedAt }) });
  const stallTimeoutMs = options.stallTimeoutMs ?? 300_000;
  let lastSignature = '';
  let lastChange = Date.now();
  try {
    for (;;) {
      const status = await client.getRun(runId);
      const { counts } = status;
      const done = counts.assessed + counts.failed;
      progress.update({
        total: status.planned,
        done,
        failed: counts.failed,
        detail: `queued ${counts.planned} · generating ${counts.generating} · assessing ${counts.generated}${status.verdictsOwed ? ` · judging ${status.verdictsOwed}` : ''}`,
      });
      if (status.state === 'completed') return status;
      const signature = JSON.stringify([counts, status.verdictsOwed ?? 0]);
      if (signature !== lastSignature) {
        lastSignature = signature;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > stallTimeoutMs) {
        throw new RunStalledError(`run ${runId} made no progress for ${Math.round(stallTimeoutMs / 1000)} s (${done}/${status.planned} done); see the function logs`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  } finally {
    progress.finish();
  }
}
