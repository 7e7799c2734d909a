import type { CloudEvent } from '@google-cloud/functions-framework';
import type { StorageObjectData as PublishedStorageObjectData } from '@google/events/cloud/storage/v1/StorageObjectData.js';
import { computeMetrics, computeMetricsWithPreview, type PreviewPixels, type RawImage } from '../core/quality/index.js';
import { classifyObject } from '../core/objects/index.js';
import type { ImageBucket, Logger, ReferenceStore, RunStore } from '../core/ports.js';
import { PREVIEW_CONTENT_TYPE, previewObjectName } from '../core/objects/index.js';
import type { Done } from './event-outcome.js';
import { judgeStep, type JudgeDependencies } from './judge-step.js';
import { screenReferences } from './screen-references.js';

/**
 * The data of a `google.cloud.storage.object.v1.finalized` event: the published type, except that
 * its int64 fields (generation, metageneration, size) arrive as JSON strings in real events although
 * the generated type says number. Both are accepted, and the handler reads them through String().
 */
export type StorageObjectData = Omit<PublishedStorageObjectData, 'generation' | 'metageneration' | 'size'> & {
  generation?: string | number;
  metageneration?: string | number;
  size?: string | number;
};

export interface AssessDependencies {
  store: RunStore;
  bucket: ImageBucket;
  decode: (bytes: Buffer) => Promise<RawImage>;
  /**
   * Encodes the gallery's preview from the colour thumbnail of the metrics pass and stores it in its
   * own bucket (never the images bucket, whose every new object invokes this function); without it
   * no preview is stored.
   */
  preview?: { encode: (pixels: PreviewPixels) => Promise<Buffer>; bucket: ImageBucket };
  log: Logger;
  now?: () => number;
  /** The content judge, when the deployment has one; runs judged with it are chosen per run. */
  judge?: JudgeDependencies;
  /** Reference records, for the privacy guard; without them an image whose prompt names references is recorded unscreened. */
  references?: Pick<ReferenceStore, 'get'>;
}

/**
 * Handles object finalization: decodes the image once, computes the metrics, screens it against
 * the references its prompt names, and records both on the prompt. Idempotent per object generation. An unreadable image is recorded
 * as a failure and acknowledged, so a bad file never loops through retries.
 */
export function makeAssessHandler(deps: AssessDependencies) {
  const now = deps.now ?? Date.now;
  return async function assessImage(event: CloudEvent<StorageObjectData>): Promise<Done> {
    const object = event.data ?? {};
    const decision = classifyObject(object);
    if (!decision.assess) {
      deps.log.info('object ignored', { reason: decision.reason });
      return { done: 'skipped', reason: decision.reason };
    }
    const { runId, promptId } = decision;
    const name = object.name as string;
    const generation = String(object.generation ?? '');
    const prompt = await deps.store.getPrompt(runId, promptId);
    if (!prompt) {
      deps.log.warn('image has no prompt record: ignored', { name });
      return { done: 'skipped', reason: 'no prompt record' };
    }
    // A duplicate is done unless its judge verdict is still owed (a transient judge error asked for this redelivery).
    const judgeOwed = deps.judge !== undefined && !(prompt.judge?.generation === generation && prompt.judge.status !== 'judging');
    const pixelsDone = prompt.assessedGeneration === generation;
    if (pixelsDone && (!judgeOwed || (await deps.store.getRun(runId))?.judge !== 'gemini')) return { done: 'skipped', reason: 'duplicate event' };

    const started = now();
    const bytes = await deps.bucket.read(name, generation || undefined);
    const read = now();
    if (!bytes) {
      deps.log.warn('object no longer exists: acknowledged', { name, generation });
      return { done: 'skipped', reason: 'object gone' };
    }
    let image: RawImage;
    try {
      image = await deps.decode(bytes);
    } catch (error) {
      const reason = `unreadable: ${error instanceof Error ? error.message : String(error)}`;
      await deps.store.recordAssessmentFailure(runId, promptId, generation, reason, now());
      deps.log.warn('assessment failed', { runId, promptId, reason });
      return { done: 'failed' };
    }
    let result: 'recorded' | 'duplicate' | 'missing' = 'duplicate';
    if (!pixelsDone) {
      // The preview's pixels come out of the same pass as the metrics: one pass over the full-resolution pixels.
      const { metrics, previewPixels } = deps.preview ? computeMetricsWithPreview(image) : { metrics: computeMetrics(image), previewPixels: null };
      // Stored before the assessment is recorded, so an assessed image has its preview; create-only, so a redelivery writes nothing.
      if (deps.preview && previewPixels) await deps.preview.bucket.writeDerivedIfAbsent(previewObjectName(name), await deps.preview.encode(previewPixels), PREVIEW_CONTENT_TYPE);
      // Screened before anything is recorded, so an assessed image always carries its guard outcome.
      const screening = await screenReferences(deps.references, prompt, image, generation);
      if (screening && screening.outcome !== 'clear') deps.log.warn('image withheld by the privacy guard', { runId, promptId, generation, outcome: screening.outcome, reason: screening.reason });
      const measured = now();
      result = await deps.store.recordAssessment(runId, promptId, generation, metrics, measured, screening);
      // The prompt was purged while this ran: its preview must not outlive it.
      if (result === 'missing' && deps.preview) await deps.preview.bucket.deletePrefix(previewObjectName(name));
      // A prompt that had been given up as failed now has an image: a completed run's stored summary no longer holds, and the next read rebuilds it.
      if (result === 'recorded' && prompt.status === 'failed') await deps.store.saveRunSummary(runId, null);
      if (result === 'recorded') deps.log.info('assessed', { runId, promptId, generation, readMs: read - started, measureMs: measured - read, recordMs: now() - measured });
    }
    // The pixel assessment is recorded first, so the judge can neither lose nor delay it; it reuses the same decode.
    if (deps.judge && result !== 'missing') await judgeStep(deps.store, deps.judge, deps.log, prompt, generation, image, now);
    return result === 'recorded' ? { done: 'assessed' } : { done: 'skipped', reason: result };
  };
}
