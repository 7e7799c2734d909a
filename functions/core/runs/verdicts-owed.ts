/**
 * A judged run is finished only when every image's verdict has ended (judged, or failed with a
 * reason). These rules say which images still owe one, and what the reconciler does with an image
 * whose verdict is owed and stale: judge it again through the assessor's own code, or, past the
 * assessment deadline, end its verdict `failed` as lost. Pure, like reconcile.ts.
 */
import { formatSpan, type ReconcileSettings } from './reconcile.js';
import type { PromptRecord, RunRecord } from './run-model.js';

/** An assessed image of a judged run whose verdict for that image has not ended yet. */
export function verdictOwed(prompt: PromptRecord): boolean {
  if (prompt.status !== 'assessed') return false;
  const judge = prompt.judge;
  return !judge || judge.generation !== prompt.assessedGeneration || judge.status === 'judging';
}

export const runIsJudged = (run: Pick<RunRecord, 'judge'>): boolean => run.judge === 'gemini';

export type VerdictAction =
  | { kind: 'none'; why: string }
  /** Judge again, through the assessor's own handler (in process, with the judge's credentials). */
  | { kind: 'rejudge' }
  | { kind: 'fail'; reason: string };

/** Past the deadline, counted as the assessment's is (from the image's creation). */
export function decideVerdict(prompt: PromptRecord, now: number, settings: ReconcileSettings): VerdictAction {
  const created = Date.parse(prompt.generatedAt ?? prompt.assessedAt ?? new Date(now).toISOString());
  if (now - created >= settings.assessDeadlineMs) return { kind: 'fail', reason: `lost: not judged within ${formatSpan(settings.assessDeadlineMs)}` };
  const lease = prompt.judge?.status === 'judging' ? prompt.judge.leaseExpiresAt : null;
  // A lease (or a backoff a 429 asked for) still running: the event that holds it will come back.
  if (lease !== null && lease !== undefined && lease > now - settings.staleMs) return { kind: 'none', why: 'judge lease held or only just expired' };
  const assessedAt = prompt.assessedAt ? Date.parse(prompt.assessedAt) : created;
  if (now - assessedAt < settings.staleMs) return { kind: 'none', why: 'assessed recently' };
  if (prompt.queuedAt !== undefined && now - prompt.queuedAt < settings.staleMs) return { kind: 'none', why: 'judged again recently' };
  return { kind: 'rejudge' };
}
