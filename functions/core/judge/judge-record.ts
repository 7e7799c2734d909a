/**
 * The judge's state on a prompt, and its transitions as pure functions, like prompt-transitions.ts:
 * both stores read the prompt in a transaction, ask these what to write, and write it. The judge
 * runs at most once per object generation: a claim takes a lease, so a duplicate delivery finds
 * the verdict recorded (done) or the lease held (busy), never a second model call.
 */
import type { JudgeAnswer, JudgeUsage } from './judge.js';

export interface JudgeRecord {
  status: 'judging' | 'judged' | 'failed';
  /** The object generation this verdict is about. */
  generation: string;
  model: string;
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: string | null;
  /** Why the verdict failed: `blocked:…`, `invalid_json`, `schema: …`, `gave up after …`. */
  reason: string | null;
  answer: JudgeAnswer | null;
  usage: JudgeUsage | null;
  judgedAt: string | null;
  /**
   * The worker that sent the judge its request and when, kept until the verdict (or a known-unpaid
   * error) is stored: a claim that finds it set with no verdict knows the call may have been paid.
   */
  callOwner?: string | null;
  callAt?: number | null;
}

/** Reason prefix of a verdict whose call went out and never came back (the same word as a prompt's). */
export const JUDGE_UNKNOWN_OUTCOME = 'unknown_outcome';

export type JudgeClaim =
  | { kind: 'claimed'; attempts: number }
  | { kind: 'done'; status: 'judged' | 'failed' }
  | { kind: 'busy'; leaseExpiresAt: number }
  | { kind: 'missing' }
  /** A call went out and its outcome was never stored: the claim ended the verdict `failed` instead of calling again. */
  | { kind: 'unknown outcome'; reason: string };

export type JudgeOutcome = { answer: JudgeAnswer; usage: JudgeUsage; model: string } | { failure: string; model: string };

/** The one field of a prompt record the judge reads and writes (kept structural, so the judge does not depend on the run model). */
type Prompt = { judge?: JudgeRecord | null } | null;
type Update = { judge: JudgeRecord } | null;

export const judgeOf = (prompt: Prompt | undefined): JudgeRecord | null => prompt?.judge ?? null;

export function decideJudgeClaim(prompt: Prompt, generation: string, model: string, options: { owner: string; now: number; leaseMs: number }): { result: JudgeClaim; update: Update } {
  if (!prompt) return { result: { kind: 'missing' }, update: null };
  const current = judgeOf(prompt);
  const same = current?.generation === generation ? current : null;
  if (same && same.status !== 'judging') return { result: { kind: 'done', status: same.status }, update: null };
  if (same?.leaseExpiresAt != null && same.leaseExpiresAt > options.now && same.leaseOwner !== options.owner) {
    return { result: { kind: 'busy', leaseExpiresAt: same.leaseExpiresAt }, update: null };
  }
  if (same?.callAt != null) {
    const reason = `${JUDGE_UNKNOWN_OUTCOME}: the judge was called at ${new Date(same.callAt).toISOString()} and no verdict was stored; it may have been paid for, so it is not called again`;
    const judge: JudgeRecord = { ...same, status: 'failed', reason, leaseOwner: null, leaseExpiresAt: null, judgedAt: new Date(options.now).toISOString() };
    return { result: { kind: 'unknown outcome', reason }, update: { judge } };
  }
  const attempts = (same?.attempts ?? 0) + 1;
  const judge: JudgeRecord = {
    status: 'judging',
    generation,
    model,
    attempts,
    leaseOwner: options.owner,
    leaseExpiresAt: options.now + options.leaseMs,
    lastError: same?.lastError ?? null,
    reason: null,
    answer: null,
    usage: null,
    judgedAt: null,
    callOwner: null,
    callAt: null,
  };
  return { result: { kind: 'claimed', attempts }, update: { judge } };
}

/** Marks that the lease holder is about to call the judge; false (and no write) when its lease passed on. */
export function decideJudgeCall(prompt: Prompt, generation: string, owner: string, now: number): { result: boolean; update: Update } {
  const current = judgeOf(prompt);
  if (!current || current.generation !== generation || current.status !== 'judging' || current.leaseOwner !== owner) return { result: false, update: null };
  return { result: true, update: { judge: { ...current, callOwner: owner, callAt: now } } };
}

/** Records the verdict, unless the lease passed to another worker or the generation moved on. */
export function decideJudgeRecord(prompt: Prompt, generation: string, owner: string, outcome: JudgeOutcome, now: number): Update {
  const current = judgeOf(prompt);
  if (!current || current.generation !== generation) return null;
  const holder = current.status === 'judging' && current.leaseOwner === owner;
  // A slow worker whose verdict was given up as unknown brings it after all: it was paid for, keep it.
  const late = current.status === 'failed' && current.callOwner === owner && (current.reason?.startsWith(`${JUDGE_UNKNOWN_OUTCOME}:`) ?? false);
  if (!holder && !late) return null;
  const base = { ...current, leaseOwner: null, leaseExpiresAt: null, callOwner: null, callAt: null, model: outcome.model, judgedAt: new Date(now).toISOString() };
  if ('answer' in outcome) return { judge: { ...base, status: 'judged', answer: outcome.answer, usage: outcome.usage, reason: null } };
  return { judge: { ...base, status: 'failed', reason: outcome.failure } };
}

/** Gives the lease back after a transient error; `backoffUntil` keeps redeliveries away until then. */
export function decideJudgeRelease(prompt: Prompt, generation: string, owner: string, error: string, backoffUntil: number | null): Update {
  const current = judgeOf(prompt);
  if (!current || current.generation !== generation || current.status !== 'judging' || current.leaseOwner !== owner) return null;
  // Only an error answer (known unpaid) releases the lease, so the call mark goes with it.
  return { judge: { ...current, lastError: error, leaseOwner: backoffUntil === null ? null : 'backoff', leaseExpiresAt: backoffUntil, callOwner: null, callAt: null } };
}

/**
 * The reconciler gives up on a verdict owed past the deadline: failed with `reason`, unless a
 * verdict ended meanwhile or a worker holds the lease. `generation` is the assessed image's.
 */
export function decideJudgeLost(prompt: Prompt, generation: string, model: string, reason: string, now: number): Update {
  if (!prompt) return null;
  const current = judgeOf(prompt);
  const same = current?.generation === generation ? current : null;
  if (same && same.status !== 'judging') return null;
  if (same?.leaseExpiresAt != null && same.leaseExpiresAt > now && same.leaseOwner !== 'backoff') return null;
  const base: JudgeRecord = same ?? { status: 'judging', generation, model, attempts: 0, leaseOwner: null, leaseExpiresAt: null, lastError: null, reason: null, answer: null, usage: null, judgedAt: null };
  return { judge: { ...base, status: 'failed', reason, leaseOwner: null, leaseExpiresAt: null, judgedAt: new Date(now).toISOString() } };
}
