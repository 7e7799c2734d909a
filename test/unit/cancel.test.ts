import type { CloudEvent } from '@google-cloud/functions-framework';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryLifecycleStore } from '../../functions/adapters/memory-lifecycle.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ImageProvider, ImageRequest } from '../../functions/core/image-provider.js';
import { decideRunRelease, type Participant } from '../../functions/core/participants.js';
import type { Logger, RateLimiter } from '../../functions/core/ports.js';
import { newPromptRecord, type PromptRecord, type RunRecord } from '../../functions/core/run-model.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { cancelRun } from '../../functions/handlers/cancel-routes.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';

const silent: Logger = { info() {}, warn() {}, error() {} };
const run: RunRecord = {
  runId: 'r1', scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 4, seed: 1,
  categories: ['c'], provider: 'scripted', model: 'scripted-v1', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'u-1',
  image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 4, usdPerImage: 0, usd: 0, basis: 'test' },
};
const prompt = (index: number, changes: Partial<PromptRecord> = {}): PromptRecord => ({
  ...newPromptRecord('r1', { promptId: `p000${index}`, index, category: 'c', prompt: `prompt ${index}`, variables: {}, seed: index }),
  ...changes,
});
const event = (promptId: string): CloudEvent<MessagePublishedData> => ({
  specversion: '1.0', id: promptId, source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: { message: { data: Buffer.from(JSON.stringify({ runId: 'r1', promptId })).toString('base64') } },
});

class CountingProvider implements ImageProvider {
  readonly name = 'scripted';
  readonly model = 'scripted-v1';
  calls: ImageRequest[] = [];
  constructor(private readonly during: () => Promise<void> = async () => {}) {}
  async generate(request: ImageRequest) {
    this.calls.push(request);
    await this.during();
    return { png: Buffer.from('png'), model: this.model };
  }
}

describe('cancelling a run', () => {
  let store: MemoryRunStore;
  let lifecycle: MemoryLifecycleStore;
  let bucket: MemoryImageBucket;
  let releases: Array<{ refundImages: number; finished: boolean }>;
  const deps = () => ({ store, lifecycle, log: silent, participants: { releaseRun: async (_id: string, _run: string, options: { refundImages: number; finished: boolean }) => void releases.push(options) } });
  const generator = (provider: ImageProvider, rateLimiter?: RateLimiter) => makeGenerateHandler({ store, bucket, provider, log: silent, leaseMs: 60_000, maxAttempts: 3, ...(rateLimiter ? { rateLimiter } : {}) });

  beforeEach(async () => {
    store = new MemoryRunStore();
    lifecycle = new MemoryLifecycleStore(store);
    bucket = new MemoryImageBucket();
    releases = [];
    await store.createRun(run, [
      prompt(1),
      prompt(2, { status: 'generating', attempts: 1, leaseOwner: 'w', leaseExpiresAt: Date.now() + 60_000 }),
      prompt(3, { status: 'generated', objectName: 'runs/r1/c/p0003.png', objectGeneration: '1', generatedAt: new Date().toISOString() }),
      prompt(4, { status: 'assessed' }),
    ]);
  });

  it('fails every prompt without an image as cancelled, gives those images back once, and leaves stored images to be assessed', async () => {
    expect(await cancelRun(deps(), run, 1000)).toEqual({ runId: 'r1', cancelled: 2, unfinished: 1 });
    expect((await store.listPrompts('r1')).map((entry) => [entry.status, entry.failureReason])).toEqual([
      ['failed', 'cancelled'], ['failed', 'cancelled'], ['generated', null], ['assessed', null],
    ]);
    expect(await cancelRun(deps(), run, 2000)).toEqual({ runId: 'r1', cancelled: 0, unfinished: 1 });
    expect(releases).toEqual([{ refundImages: 2, finished: false }, { refundImages: 0, finished: false }]);
  });

  it('makes no model call for a cancelled prompt afterwards', async () => {
    await cancelRun(deps(), run, 1000);
    const provider = new CountingProvider();
    expect(await generator(provider)(event('p0001'))).toMatchObject({ done: 'skipped', reason: 'already failed' });
    expect(provider.calls).toHaveLength(0);
  });

  it('stops a worker that claimed the prompt before the cancel and is still waiting for a rate-limit slot', async () => {
    const provider = new CountingProvider();
    const limiter: RateLimiter = { tryAcquire: async () => (await cancelRun(deps(), run, 1000), { granted: true }) };
    expect(await generator(provider, limiter)(event('p0001'))).toEqual({ done: 'skipped', reason: 'cancelled' });
    expect(provider.calls).toHaveLength(0);
  });

  it('removes an image stored after a cancel that came during the model call, and the assessor leaves the prompt cancelled', async () => {
    const provider = new CountingProvider(async () => void (await cancelRun(deps(), run, 1000)));
    expect(await generator(provider)(event('p0001'))).toEqual({ done: 'skipped', reason: 'cancelled' });
    expect(provider.calls).toHaveLength(1);
    expect(bucket.objects.has('runs/r1/c/p0001.png')).toBe(false);
    const assess = makeAssessHandler({ store, bucket, decode: async () => ({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 }), log: silent });
    // A finalize event for the image, delivered before the generator removed it.
    const late = await bucket.writeIfAbsent('runs/r1/c/p0001.png', Buffer.from('late'), {});
    expect(await assess({ specversion: '1.0', id: 'e', source: 's', type: 't', data: { name: late.name, contentType: 'image/png', generation: late.generation } })).toMatchObject({ done: 'skipped' });
    expect(await store.getPrompt('r1', 'p0001')).toMatchObject({ status: 'failed', failureReason: 'cancelled' });
  });

  it('removes an image whose prompt was purged during the model call', async () => {
    const provider = new CountingProvider(async () => store.deleteRun('r1'));
    expect(await generator(provider)(event('p0001'))).toEqual({ done: 'skipped', reason: 'missing' });
    expect(bucket.objects.size).toBe(0);
  });
});

describe('decideRunRelease', () => {
  const participant = (imagesUsed: number, runs: string[]): Participant => ({
    id: 'u-1', name: 'A', tokenHash: 'h', revoked: false, imageQuota: 100, imagesUsed, activeRuns: runs.map((runId) => ({ runId, reservedAt: 0 })), createdAt: '',
  });
  it.each([
    { name: 'refunds and frees the slot', before: participant(50, ['r1', 'r2']), options: { refundImages: 20, finished: true }, after: { imagesUsed: 30, activeRuns: [{ runId: 'r2', reservedAt: 0 }] } },
    { name: 'refunds but keeps an unfinished run', before: participant(50, ['r1']), options: { refundImages: 20, finished: false }, after: { imagesUsed: 30, activeRuns: [{ runId: 'r1', reservedAt: 0 }] } },
    { name: 'never goes below zero', before: participant(5, []), options: { refundImages: 20, finished: true }, after: { imagesUsed: 0, activeRuns: [] } },
    { name: 'writes nothing when nothing changes', before: participant(5, ['r2']), options: { refundImages: 0, finished: true }, after: null },
  ])('$name', ({ before, options, after }) => {
    expect(decideRunRelease(before, 'r1', options)).toEqual(after);
  });
});
