import type { RunStore } from '../core/ports.js';
import { deriveRunState, runIsJudged, type RunRecord, type RunState, type StatusCounts } from '../core/runs/index.js';

/**
 * The run's state from its counts, and, for a judged run whose prompts have all ended, from the
 * verdicts still owed: it stays `running` through the judging stage. The verdicts are counted only then.
 */
export async function currentRunState(store: Pick<RunStore, 'countByStatus' | 'countVerdictsOwed'>, run: RunRecord, counts?: StatusCounts): Promise<{ state: RunState; verdictsOwed: number | null }> {
  const known = counts ?? (await store.countByStatus(run.runId));
  const state = deriveRunState(run, known);
  if (state !== 'completed' || !runIsJudged(run)) return { state, verdictsOwed: null };
  const verdictsOwed = await store.countVerdictsOwed(run.runId);
  return { state: deriveRunState(run, known, verdictsOwed), verdictsOwed };
}
