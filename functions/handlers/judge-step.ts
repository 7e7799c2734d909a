import { randomUUID } from 'node:crypto';
import { TransientProviderError } from '../core/objects/index.js';
import { buildRubric, JudgeFailedError, type ImageJudge } from '../core/judge/index.js';
import type { RawImage } from '../core/quality/index.js';
import type { Logger, RateLimiter, RunStore } from '../core/ports.js';
import { CANCELLED, type PromptRecord } from '../core/runs/index.js';
import { RetryLater } from './event-outcome.js';
import { backoffMs } from './generate.js';
import { waitForRateSlot } from './rate-slot.js';
import { judgeCallReserveMs, recordCallOutcome, SAFETY_MARGIN_MS } from './after-paid-call.js';

export interface JudgeDependencies {
  judge: ImageJudge;
  /** Downscales the assessor's decoded pixels to what the judge is sent. */
  encode: (image: RawImage) => Promise<{ mimeType: string; data: Buffer }>;
  /** The judge's own bucket of the deployment-wide limiter, apart from image generation's. */
  rateLimiter?: RateLimiter;
  /** Covers the judge call (its timeout) and a margin, so a redelivery during a slow call finds the lease held. */
  leaseMs: number;
  /** The judge call's timeout: a rate slot is only worth waiting for while the lease still covers the call. */
  callBudgetMs?: number;
  maxAttempts: number;
  sleep?: (ms: number) => Promise<void>;
}

export type JudgeStepResult = 'judged' | 'failed' | 'not judged' | 'already judged';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Judges one image, after its pixel assessment is recorded. At most one judge call per object
 * generation: the claim's lease turns duplicates away. A transient failure gives the lease back
 * with a backoff and throws, so the event is redelivered; an unusable answer ends `failed`.
 */
export async function judgeStep(store: RunStore, deps: JudgeDependencies, log: Logger, prompt: PromptRecord, generation: string, image: RawImage, now: () => number): Promise<JudgeStepResult> {
  const { runId, promptId } = prompt;
  const sleep = deps.sleep ?? realSleep;
  const run = await store.getRun(runId);
  if (run?.judge !== 'gemini') return 'not judged';
  const owner = randomUUID();
  const claim = await store.claimJudge(runId, promptId, generation, deps.judge.model, { owner, now: now(), leaseMs: deps.leaseMs });
  if (claim.kind === 'missing') return 'not judged';
  if (claim.kind === 'done') return 'already judged';
  if (claim.kind === 'busy') throw new RetryLater(`judge of ${runId}/${promptId} is leased until ${new Date(claim.leaseExpiresAt).toISOString()}`);
  if (claim.kind === 'unknown outcome') {
    await forgetSummary(store, runId);
    log.error('judge failed: outcome of a judge call unknown', { runId, promptId, reason: claim.reason });
    return 'failed';
  }
  const fail = async (reason: string): Promise<JudgeStepResult> => {
    await recordCallOutcome(() => store.recordJudge(runId, promptId, generation, owner, { failure: reason, model: deps.judge.model }, now()), sleep);
    await forgetSummary(store, runId);
    log.warn('judge failed', { runId, promptId, reason });
    return 'failed';
  };
  if (claim.attempts > deps.maxAttempts) return fail(`gave up after ${deps.maxAttempts} attempts: ${prompt.judge?.lastError ?? 'worker stopped before finishing'}`);
  // A cancel stops spending: an image assessed after it is not sent to the judge.
  if (run.cancelledAt) return fail(CANCELLED);

  // The wait ends early enough for the call (its timeout) and the recording of its verdict to fit the lease.
  const latestStart = now() + deps.leaseMs - (deps.callBudgetMs ?? 0) - judgeCallReserveMs() - SAFETY_MARGIN_MS;
  const slot = await waitForRateSlot(deps.rateLimiter, latestStart, now, deps.sleep);
  if (!slot.ok) {
    await store.releaseJudge(runId, promptId, generation, owner, 'rate limit: no judge slot within the lease', now() + slot.retryAfterMs);
    throw new RetryLater(`judge rate limit reached for ${runId}/${promptId}`);
  }
  const { rubric, elements } = buildRubric({ prompt: prompt.prompt, category: prompt.category, variables: prompt.variables, scenarioName: run.scenario.name, context: run.scenario.context });
  const encoded = await deps.encode(image);
  // Stored before the request goes out: a redelivery that finds it with no verdict does not call again.
  if (!(await store.beginJudgeCall(runId, promptId, generation, owner, now()))) {
    log.info('judge lease passed to another worker: no call', { runId, promptId });
    return 'not judged';
  }
  let result;
  try {
    log.info('judge_call', { runId, promptId, model: deps.judge.model, attempt: claim.attempts });
    result = await deps.judge.judge({ image: encoded, rubric, elements });
  } catch (error) {
    if (error instanceof JudgeFailedError) return fail(error.reason);
    const detail = errorMessage(error);
    if (claim.attempts >= deps.maxAttempts) return fail(`gave up after ${claim.attempts} attempts: ${detail}`);
    const delay = error instanceof TransientProviderError && error.retryAfterMs !== null ? error.retryAfterMs : backoffMs(claim.attempts);
    await recordCallOutcome(() => store.releaseJudge(runId, promptId, generation, owner, detail, now() + delay), sleep);
    throw new RetryLater(`transient judge error for ${runId}/${promptId} (attempt ${claim.attempts}, retry in ${Math.ceil(delay / 1000)} s): ${detail}`);
  }
  // The verdict is paid for: recording it is retried here, never by calling the judge again.
  const verdict = result;
  await recordCallOutcome(() => store.recordJudge(runId, promptId, generation, owner, verdict, now()), sleep);
  await forgetSummary(store, runId);
  log.info('judged', { runId, promptId, relevance: verdict.answer.relevance, ...verdict.usage });
  return 'judged';
}

/**
 * A run counts as completed once its pixels are assessed, so its stored summary may predate this
 * verdict; dropping it makes the next read rebuild the report and flags with the verdict. One write
 * per verdict, and verdicts are rate-limited, so the run document is no hot-spot.
 */
async function forgetSummary(store: RunStore, runId: string): Promise<void> {
  await store.saveRunSummary(runId, null);
}

