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
}

export type JudgeClaim = { kind: 'claimed'; attempts: number } | { kind: 'done'; status: 'judged' | 'failed' } | { kind: 'busy'; leaseExpiresAt: number } | { kind: 'missing' };

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
  };
  return { result: { kind: 'claimed', attempts }, update: { judge } };
}

/** Records the verdict, unless the lease passed to another worker or the generation moved on. */
export function decideJudgeRecord(prompt: Prompt, generation: string, owner: string, outcome: JudgeOutcome, now: number): Update {
  const current = judgeOf(prompt);
  if (!current || current.generation !== generation || current.status !== 'judging' || current.leaseOwner !== owner) return null;
  const base = { ...current, leaseOwner: null, leaseExpiresAt: null, model: outcome.model, judgedAt: new Date(now).toISOString() };
  if ('answer' in outcome) return { judge: { ...base, status: 'judged', answer: outcome.answer, usage: outcome.usage, reason: null } };
  return { judge: { ...base, status: 'failed', reason: outcome.failure } };
}

/** Gives the lease back after a transient error; `backoffUntil` keeps redeliveries away until then. */
export function decideJudgeRelease(prompt: Prompt, generation: string, owner: string, error: string, backoffUntil: number | null): Update {
  const current = judgeOf(prompt);
  if (!current || current.generation !== generation || current.status !== 'judging' || current.leaseOwner !== owner) return null;
  return { judge: { ...current, lastError: error, leaseOwner: backoffUntil === null ? null : 'backoff', leaseExpiresAt: backoffUntil } };
}
