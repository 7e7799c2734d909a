import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageRelay, type StorageRelay } from '../../scripts/stack/storage-relay.js';
import { countBy, functionLog, stackClients, waitForRun } from '../support/stack-clients.js';

/**
 * At-least-once delivery, made "always twice": a second push subscription sends every
 * generation message to the generator again, and a second relay sends every storage
 * event to the assessor again, concurrently with the first.
 */
describe('every message delivered twice', () => {
  const { api, bucket, previews, pubsub, stack } = stackClients();
  let secondRelay: StorageRelay;

  beforeAll(async () => {
    await pubsub.topic(stack.generationTopic).createSubscription('generate-image-push-duplicate', {
      pushConfig: { pushEndpoint: stack.generatorUrl },
      ackDeadlineSeconds: 60,
    });
    await pubsub.topic('gcs-notifications').createSubscription('assess-image-relay-duplicate', { ackDeadlineSeconds: 60 });
    secondRelay = startStorageRelay({ pubsub, subscription: 'assess-image-relay-duplicate', bucket: stack.bucket, targetUrl: stack.assessorUrl });
  });

  afterAll(async () => {
    await secondRelay.stop();
    await pubsub.subscription('generate-image-push-duplicate').delete();
    await pubsub.subscription('assess-image-relay-duplicate').delete();
  });

  it('gives each prompt exactly one provider call, one image object and one quality record', async () => {
    const created = await api.createRun({ count: 20, seed: 7 });
    const status = await waitForRun(api, created.runId);
    expect(status.counts.assessed).toBe(20);
    // Let the duplicate deliveries that trail the originals arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const generatorLog = functionLog(stack.logDir, 'generateImage', created.runId);
    const calls = countBy(generatorLog.filter((entry) => entry.message === 'provider_call'), (entry) => String(entry.promptId));
    expect(calls.size).toBe(20);
    expect(Math.max(...calls.values())).toBe(1);
    const duplicatesSeen = generatorLog.filter((entry) => String(entry.message).startsWith('duplicate delivery')).length;
    expect(duplicatesSeen).toBeGreaterThan(0);

    const [files] = await bucket.getFiles({ prefix: `runs/${created.runId}/` });
    expect(files.filter((file) => file.name.endsWith('.png'))).toHaveLength(20);
    const [previewFiles] = await previews.getFiles({ prefix: `runs/${created.runId}/` });
    expect(previewFiles.filter((file) => file.name.endsWith('.preview.jpg'))).toHaveLength(20); // one preview each, however often assessed

    const assessed = countBy(functionLog(stack.logDir, 'assessImage', created.runId).filter((entry) => entry.message === 'assessed'), (entry) => String(entry.promptId));
    expect(assessed.size).toBe(20);
    expect(Math.max(...assessed.values())).toBe(1);
    expect(secondRelay.delivered()).toBeGreaterThanOrEqual(20);
  });
});
