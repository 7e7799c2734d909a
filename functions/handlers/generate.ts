import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { PermanentProviderError, TransientProviderError, type ImageProvider, type ReferenceImage } from '../core/objects/index.js';
import type { GenerationMessage, ImageBucket, Logger, RateLimiter, RunStore } from '../core/ports.js';
import { UNKNOWN_OUTCOME } from '../core/runs/index.js';
import { imageObjectMetadata } from '../core/objects/index.js';
import { imageObjectName, type PromptRecord } from '../core/runs/index.js';
import { stampProvenance } from '../core/objects/index.js';
import { RetryLater, type Done } from './event-outcome.js';
import { storeGeneratedImage } from './store-image.js';
import { waitForRateSlot } from './rate-slot.js';
import { paidCallReserveMs, recordCallOutcome, SAFETY_MARGIN_MS } from './after-paid-call.js';

export interface GenerateDependencies {
  store: RunStore;
  bucket: ImageBucket;
  provider: ImageProvider;
  log: Logger;
  leaseMs: number;
  maxAttempts: number;
  /** The deployment-wide ceiling on provider calls; none when omitted. */
  rateLimiter?: RateLimiter;
  /** Longest a provider call may take (its timeout): a token is only worth waiting for while the lease still covers the call. */
  callBudgetMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Reads the stored references that guide a prompt (adapters/reference-loader.ts); none are sent when omitted. */
  loadReferences?: (referenceIds: readonly string[]) => Promise<ReferenceImage[]>;
}

/** Backoff when the provider gave no retry hint: 1 s, 2 s, 4 s … up to a minute. */
export const backoffMs = (attempt: number): number => Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads `{ runId, promptId }` from a Pub/Sub message; null when the message is malformed. */
export function parseGenerationMessage(data: MessagePublishedData | undefined): GenerationMessage | null {
  try {
    const decoded = JSON.parse(Buffer.from(data?.message?.data ?? '', 'base64').toString('utf8')) as Partial<GenerationMessage>;
    const valid = typeof decoded.runId === 'string' && typeof decoded.promptId === 'string' && decoded.runId !== '' && decoded.promptId !== '';
    return valid ? { runId: decoded.runId as string, promptId: decoded.promptId as string } : null;
  } catch {
    return null;
  }
}

/**
 * Handles `google.cloud.pubsub.topic.v1.messagePublished`: claims the prompt with a lease,
 * calls the provider once, writes the PNG under a generation precondition, marks it generated.
 */
export function makeGenerateHandler(deps: GenerateDependencies) {
  const now = deps.now ?? Date.now;
  return async function generateImage(event: CloudEvent<MessagePublishedData>): Promise<Done> {
    const message = parseGenerationMessage(event.data);
    if (!message) {
      deps.log.error('malformed generation message: acknowledged, since retrying cannot fix it', { eventId: event.id });
      return { done: 'skipped', reason: 'malformed message' };
    }
    const { runId, promptId } = message;
    const owner = randomUUID();
    const received = now();
    const claim = await deps.store.claimPrompt(runId, promptId, { owner, now: now(), leaseMs: deps.leaseMs });
    switch (claim.kind) {
      case 'missing':
        deps.log.warn('prompt not found: acknowledged', { runId, promptId });
        return { done: 'skipped', reason: 'prompt not found' };
      case 'finished':
        deps.log.info('duplicate delivery of a finished prompt: acknowledged', { runId, promptId, status: claim.prompt.status });
        return { done: 'skipped', reason: `already ${claim.prompt.status}` };
      case 'busy':
        throw new RetryLater(`prompt ${runId}/${promptId} is leased by another worker until ${new Date(claim.leaseExpiresAt).toISOString()}`);
      case 'claimed':
        return generateClaimed(deps, claim.prompt, owner, now, now() - received);
    }
  };
}

async function generateClaimed(deps: GenerateDependencies, prompt: PromptRecord, owner: string, now: () => number, claimMs: number): Promise<Done> {
  const { runId, promptId } = prompt;
  const sleep = deps.sleep ?? realSleep;
  const objectName = imageObjectName(runId, prompt.category, promptId);
  // A worker that called the model and stopped before recording the outcome (it died, or its
  // recording kept failing): finish from what is stored, never with a second model call.
  const callInFlight = prompt.modelCallAt != null;
  const existing = callInFlight || prompt.attempts > 1 ? await deps.bucket.stat(objectName) : null;
  if (existing) {
    const outcome = await deps.store.markGenerated(runId, promptId, { objectName, objectGeneration: existing.generation, model: prompt.model ?? deps.provider.model, renderMs: null, now: now() });
    if (outcome !== 'recorded') return removeUnwanted(deps, runId, promptId, objectName, outcome);
    return { done: 'generated' };
  }
  if (callInFlight) {
    const reason = `${UNKNOWN_OUTCOME}: the model was called at ${new Date(prompt.modelCallAt as number).toISOString()} and no image was stored; it may have been paid for, so it is not called again`;
    await deps.store.markFailed(runId, promptId, reason);
    deps.log.error('prompt failed: outcome of a model call unknown', { runId, promptId, reason });
    return { done: 'failed' };
  }
  if (prompt.attempts > deps.maxAttempts) {
    const reason = `gave up after ${deps.maxAttempts} attempts: ${prompt.lastError ?? 'worker stopped before finishing'}`;
    await deps.store.markFailed(runId, promptId, reason);
    deps.log.warn('prompt failed', { runId, promptId, reason });
    return { done: 'failed' };
  }

  // Read before the rate slot and the in-flight mark: a failed read costs no model call and is retried.
  let references: ReferenceImage[] = [];
  const referenceIds = prompt.referenceIds ?? [];
  if (referenceIds.length > 0 && deps.loadReferences) {
    try {
      references = await deps.loadReferences(referenceIds);
    } catch (error) {
      const detail = `references could not be read: ${errorMessage(error)}`;
      await deps.store.releaseWithError(runId, promptId, owner, detail, now() + backoffMs(prompt.attempts));
      throw new RetryLater(`${detail} (${runId}/${promptId}, attempt ${prompt.attempts})`);
    }
    if (references.length < referenceIds.length) deps.log.warn('references deleted since planning are left out', { runId, promptId, planned: referenceIds.length, found: references.length });
  }

  const claimedAt = now();
  // A slot is waited for only while the lease still leaves room for the call and every step after it.
  const latestStart = claimedAt + deps.leaseMs - (deps.callBudgetMs ?? 0) - paidCallReserveMs() - SAFETY_MARGIN_MS;
  const waited = await waitForRateSlot(deps.rateLimiter, latestStart, now, deps.sleep);
  if (!waited.ok) {
    // No model call was made, so this claim is not an attempt.
    await deps.store.releaseWithError(runId, promptId, owner, 'rate limit: no request slot within the lease', now() + waited.retryAfterMs, { refundAttempt: true });
    throw new RetryLater(`rate limit reached for ${runId}/${promptId}; retrying in about ${Math.ceil(waited.retryAfterMs / 1000)} s`);
  }

  // The in-flight mark is stored before the request goes out; the same transaction turns away a
  // prompt cancelled (or purged) while this worker waited, and a lease that passed to another worker.
  const start = await deps.store.beginModelCall(runId, promptId, owner, now());
  if (start !== 'go') {
    deps.log.info('no model call: acknowledged', { runId, promptId, reason: start });
    return { done: 'skipped', reason: start === 'missing' ? 'prompt not found' : start };
  }

  const started = now();
  const rateWaitMs = started - claimedAt;
  let image;
  try {
    deps.log.info('provider_call', { runId, promptId, provider: deps.provider.name, attempt: prompt.attempts });
    const { aspectRatio, imageSize } = prompt.image ?? {};
    image = await deps.provider.generate({ prompt: prompt.prompt, category: prompt.category, variables: prompt.variables, seed: prompt.seed, aspectRatio, imageSize, ...(references.length > 0 ? { references } : {}) });
  } catch (error) {
    // An error answer is known to be unpaid: recording it clears the in-flight mark.
    if (error instanceof PermanentProviderError) {
      await recordCallOutcome(() => deps.store.markFailed(runId, promptId, error.reason), sleep);
      deps.log.warn('prompt failed permanently', { runId, promptId, reason: error.reason, detail: error.message });
      return { done: 'failed' };
    }
    const detail = errorMessage(error);
    if (prompt.attempts >= deps.maxAttempts) {
      await recordCallOutcome(() => deps.store.markFailed(runId, promptId, `gave up after ${prompt.attempts} attempts: ${detail}`), sleep);
      return { done: 'failed' };
    }
    // Redeliveries before this time are turned away without a model call, honouring the server's hint.
    const delay = error instanceof TransientProviderError && error.retryAfterMs !== null ? error.retryAfterMs : backoffMs(prompt.attempts);
    await recordCallOutcome(() => deps.store.releaseWithError(runId, promptId, owner, detail, now() + delay), sleep);
    throw new RetryLater(`transient provider error for ${runId}/${promptId} (attempt ${prompt.attempts}, retry in ${Math.ceil(delay / 1000)} s): ${detail}`);
  }
  const rendered = now();
  const renderMs = rendered - started;

  // XMP provenance goes into the file once, here, so every copy of the image says it is synthetic.
  const stamped = stampProvenance(image.png, { provider: deps.provider.name, model: image.model, prompt: prompt.prompt });
  // From here on the model call is paid for: the image is kept in the bucket first, and every later
  // step resumes from it. A failure that outlasts the retries throws; the redelivery finds the mark.
  const metadata = imageObjectMetadata({ runId, promptId, prompt: prompt.prompt, provider: deps.provider.name, model: image.model, seed: prompt.seed });
  const storing = await storeGeneratedImage(deps.bucket, objectName, stamped.png, metadata, sleep);
  if (!storing.ok) {
    const reason = `storage_error: the image was generated but could not be stored: ${storing.error.slice(0, 300)}`;
    await recordCallOutcome(() => deps.store.markFailed(runId, promptId, reason), sleep);
    deps.log.error('prompt failed after a successful model call', { runId, promptId, reason });
    return { done: 'failed' };
  }
  const stored = storing.stored;
  const written = now();
  const marked = await recordCallOutcome(() => deps.store.markGenerated(runId, promptId, { objectName, objectGeneration: stored.generation, model: image.model, renderMs, now: now() }), sleep);
  if (marked !== 'recorded') return removeUnwanted(deps, runId, promptId, objectName, marked);
  deps.log.info('generated', { runId, promptId, objectName, created: stored.created, provenance: stamped.outcome, claimMs, rateWaitMs, renderMs, writeMs: written - rendered, markMs: now() - written });
  return { done: 'generated' };
}

/**
 * The prompt was cancelled or purged while the model ran: the image must not outlive it. A purge
 * deletes objects before records, so whichever of the two comes last removes this one.
 */
async function removeUnwanted(deps: GenerateDependencies, runId: string, promptId: string, objectName: string, outcome: 'missing' | 'cancelled'): Promise<Done> {
  await deps.bucket.deletePrefix(objectName);
  deps.log.info('image removed: its prompt was cancelled or purged during the model call', { runId, promptId, outcome });
  return { done: 'skipped', reason: outcome };
}

