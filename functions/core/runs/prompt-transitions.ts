/**
 * The rules for moving a prompt between states, as pure functions. Both store adapters
 * read the prompt in a transaction, ask these functions what to write, and write it,
 * so Firestore and the in-memory store cannot disagree.
 */
import type { ImageMetrics } from '../quality/index.js';
import type { ReferenceScreening } from '../references/index.js';
import type { AssessmentResult, ClaimOptions, ClaimResult, GeneratedInfo, GeneratedOutcome, ReleaseOptions } from './prompt-claims.js';
import { isCancelled } from './reconcile.js';
import { imageObjectName, type PromptRecord } from './run-model.js';

export type PromptUpdate = Partial<PromptRecord>;

export interface Transition<R> {
  result: R;
  update: PromptUpdate | null;
}

/**
 * The reason prefix of a prompt (or verdict) whose paid call went out and whose outcome was never
 * stored: it may have been paid for, so it is not sent again by itself. A plain failure reason,
 * so a deliberate regenerate can select it.
 */
export const UNKNOWN_OUTCOME = 'unknown_outcome';

export const isUnknownOutcome = (reason: string | null | undefined): boolean => reason?.startsWith(`${UNKNOWN_OUTCOME}:`) ?? false;

export type ModelCallStart = 'go' | 'cancelled' | 'missing' | 'lease lost';

/**
 * Marks, durably and before the request goes out, that this worker is about to call the model.
 * Refused when the prompt was cancelled or purged while the worker waited, or its lease passed on.
 */
export function decideModelCall(prompt: PromptRecord | null, owner: string, now: number): Transition<ModelCallStart> {
  if (!prompt) return { result: 'missing', update: null };
  if (isCancelled(prompt)) return { result: 'cancelled', update: null };
  if (prompt.status !== 'generating' || prompt.leaseOwner !== owner) return { result: 'lease lost', update: null };
  return { result: 'go', update: { modelCallAt: now } };
}

export function decideClaim(prompt: PromptRecord | null, options: ClaimOptions): Transition<ClaimResult> {
  if (!prompt) return { result: { kind: 'missing' }, update: null };
  if (prompt.status !== 'planned' && prompt.status !== 'generating') {
    return { result: { kind: 'finished', prompt }, update: null };
  }
  const leaseHeld = prompt.status === 'generating' && prompt.leaseExpiresAt !== null && prompt.leaseExpiresAt > options.now;
  if (leaseHeld && prompt.leaseOwner !== options.owner) {
    return { result: { kind: 'busy', leaseExpiresAt: prompt.leaseExpiresAt as number }, update: null };
  }
  const update: PromptUpdate = {
    status: 'generating',
    attempts: prompt.attempts + 1,
    leaseOwner: options.owner,
    leaseExpiresAt: options.now + options.leaseMs,
  };
  return { result: { kind: 'claimed', prompt: { ...prompt, ...update } }, update };
}

/** Owner of a lease that only makes redeliveries wait, e.g. for a rate limit's retry delay. */
export const BACKOFF_OWNER = 'backoff';

export function decideRelease(prompt: PromptRecord | null, owner: string, error: string, backoffUntil: number | null = null, options: ReleaseOptions = {}): PromptUpdate | null {
  if (!prompt || prompt.status !== 'generating') return null;
  // A lease taken over by another worker is theirs now; only record the error.
  if (prompt.leaseOwner !== owner) return { lastError: error };
  // Only a call whose outcome is known to be unpaid (an error answer) is released, so its mark goes.
  const cleared = { modelCallAt: null };
  // Attempts count model calls: a claim that only waited for a rate-limit slot gives its attempt back.
  const attempts = options.refundAttempt ? { attempts: Math.max(0, prompt.attempts - 1) } : {};
  if (backoffUntil !== null) return { lastError: error, leaseOwner: BACKOFF_OWNER, leaseExpiresAt: backoffUntil, ...cleared, ...attempts };
  return { lastError: error, leaseOwner: null, leaseExpiresAt: null, ...cleared, ...attempts };
}

export function decideGenerated(prompt: PromptRecord | null, info: GeneratedInfo): PromptUpdate | null {
  if (!prompt) return null;
  const base: PromptUpdate = {
    objectName: info.objectName,
    objectGeneration: info.objectGeneration,
    model: info.model,
    renderMs: info.renderMs ?? prompt.renderMs,
    generatedAt: prompt.generatedAt ?? new Date(info.now).toISOString(),
    leaseOwner: null,
    leaseExpiresAt: null,
    modelCallAt: null,
  };
  // A slow worker whose outcome was given up as unknown stored its image after all: keep it, it was paid for.
  if (prompt.status === 'failed' && isUnknownOutcome(prompt.failureReason)) return { ...base, status: 'generated', failureReason: null, lastError: null };
  // The assessor may finish before the generator records its own success: keep `assessed`.
  if (prompt.status === 'planned' || prompt.status === 'generating') return { ...base, status: 'generated', lastError: null };
  if (prompt.status === 'assessed' && prompt.renderMs === null) return { ...base, objectGeneration: prompt.objectGeneration ?? info.objectGeneration };
  return null;
}

/** Whether the generator's image is still wanted once it is stored. */
export function generatedOutcome(prompt: PromptRecord | null): GeneratedOutcome {
  if (!prompt) return 'missing';
  return isCancelled(prompt) ? 'cancelled' : 'recorded';
}

export function decideFailed(prompt: PromptRecord | null, reason: string): PromptUpdate | null {
  if (!prompt || prompt.status === 'assessed' || prompt.status === 'failed') return null;
  return { status: 'failed', failureReason: reason, leaseOwner: null, leaseExpiresAt: null, modelCallAt: null };
}

export function decideAssessment(
  prompt: PromptRecord | null,
  generation: string,
  outcome: { metrics: ImageMetrics; screening?: ReferenceScreening } | { failure: string },
  now: number,
): Transition<AssessmentResult> {
  // A cancelled prompt stays cancelled: its image was removed, or is about to be.
  if (!prompt || isCancelled(prompt)) return { result: 'missing', update: null };
  if (prompt.assessedGeneration === generation) return { result: 'duplicate', update: null };
  const common: PromptUpdate = {
    assessedGeneration: generation,
    assessedAt: new Date(now).toISOString(),
    // The assessor may run before the generator records its success; the name is deterministic.
    objectName: prompt.objectName ?? imageObjectName(prompt.runId, prompt.category, prompt.promptId),
    objectGeneration: prompt.objectGeneration ?? generation,
    leaseOwner: null,
    leaseExpiresAt: null,
  };
  if ('metrics' in outcome) {
    // The guard's outcome is written with the metrics, so an assessed image is never without it (nor with a stale one).
    return { result: 'recorded', update: { ...common, status: 'assessed', metrics: outcome.metrics, failureReason: null, referenceScreening: outcome.screening ?? null } };
  }
  return { result: 'recorded', update: { ...common, status: 'failed', metrics: null, failureReason: outcome.failure } };
}
