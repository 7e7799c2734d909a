import type { CloudEvent } from '@google-cloud/functions-framework';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ImageProvider, ImageRequest } from '../../functions/core/image-provider.js';
import { customMetadataBytes, imageObjectMetadata, MAX_CUSTOM_METADATA_BYTES, PermanentStorageError } from '../../functions/core/object-metadata.js';
import type { Logger, StoredObject } from '../../functions/core/ports.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/run-model.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { STORAGE_RETRY_DELAYS_MS } from '../../functions/handlers/store-image.js';

/** Issue 11, billing safety: once the model has answered, no outcome may lead to a second model call. */
const silent: Logger = { info() {}, warn() {}, error() {} };

class CountingProvider implements ImageProvider {
  readonly name = 'counting';
  readonly model = 'counting-v1';
  calls: ImageRequest[] = [];
  async generate(request: ImageRequest) {
    this.calls.push(request);
    return { png: Buffer.from('png'), model: this.model };
  }
}

/** A bucket whose first `failures` writes throw the given error, as a storage outage would. */
class FailingBucket extends MemoryImageBucket {
  constructor(private failures: number, private readonly error: () => Error) {
    super();
  }
  override async writeIfAbsent(name: string, bytes: Buffer, metadata: Record<string, string>): Promise<StoredObject & { created: boolean }> {
    if (this.failures-- > 0) {
      this.writes += 1;
      throw this.error();
    }
    return super.writeIfAbsent(name, bytes, metadata);
  }
}

const run: RunRecord = {
  runId: 'r1', scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 1, seed: 1,
  categories: ['c'], provider: 'counting', model: 'counting-v1', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'local',
  image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usdPerImage: 0, usd: 0, basis: 'test' },
};

const event = (): CloudEvent<MessagePublishedData> => ({
  specversion: '1.0', id: 'm1', source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: { message: { data: Buffer.from(JSON.stringify({ runId: 'r1', promptId: 'p0001' })).toString('base64') } },
});

describe('a storage write that fails after the model answered', () => {
  let store: MemoryRunStore;
  let clock: number;

  const setUp = async (prompt = 'a square') => {
    store = new MemoryRunStore();
    clock = 1_000_000;
    await store.createRun(run, [newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'c', prompt, variables: {}, seed: 9 })]);
  };
  beforeEach(() => setUp());

  const deliverThrice = async (bucket: MemoryImageBucket, provider: CountingProvider) => {
    const slept: number[] = [];
    const generate = makeGenerateHandler({ store, bucket, provider, log: silent, leaseMs: 60_000, maxAttempts: 5, now: () => clock, sleep: async (ms) => void slept.push(ms) });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await generate(event()).then((r) => r.done, () => 'retry'));
      clock += 120_000; // past any lease, as a late redelivery would be
    }
    return { outcomes, slept };
  };

  it.each([
    { name: 'refused for good (4xx)', failures: 1, error: () => new PermanentStorageError('Cloud Storage refused the write (400): bad request'), status: 'failed', writes: 1 },
    { name: 'unavailable throughout', failures: 99, error: () => new Error('503 Service Unavailable'), status: 'failed', writes: 1 + STORAGE_RETRY_DELAYS_MS.length },
    { name: 'unavailable for a moment', failures: 1, error: () => new Error('socket hang up'), status: 'generated', writes: 2 },
  ])('$name: exactly one model call, prompt $status', async ({ failures, error, status, writes }) => {
    const bucket = new FailingBucket(failures, error);
    const provider = new CountingProvider();
    const { outcomes, slept } = await deliverThrice(bucket, provider);
    expect(provider.calls).toHaveLength(1);
    expect(outcomes[0]).toBe(status);
    expect(outcomes.slice(1)).toEqual(['skipped', 'skipped']);
    expect(bucket.writes).toBe(writes);
    expect(slept).toEqual(STORAGE_RETRY_DELAYS_MS.slice(0, writes - 1));
    const prompt = await store.getPrompt('r1', 'p0001');
    expect(prompt?.status).toBe(status);
    if (status === 'failed') expect(prompt?.failureReason).toMatch(/^storage_error: the image was generated but could not be stored: /);
  });

  it('metadata over Cloud Storage\'s 8 KiB is refused by the bucket, and a very long prompt stays within it', async () => {
    const bucket = new MemoryImageBucket();
    await expect(bucket.writeIfAbsent('x.png', Buffer.from('x'), { note: 'é'.repeat(4200) })).rejects.toBeInstanceOf(PermanentStorageError);
    expect(bucket.objects.size).toBe(0);

    const long = `${'A crowded harbour square at dusk, banners and umbrellas, '.repeat(400)}😀 end`;
    await setUp(long);
    const provider = new CountingProvider();
    const { outcomes } = await deliverThrice(bucket, provider);
    expect(outcomes[0]).toBe('generated');
    const metadata = bucket.objects.get('runs/r1/c/p0001.png')!.metadata;
    expect(customMetadataBytes(metadata)).toBeLessThanOrEqual(MAX_CUSTOM_METADATA_BYTES);
    expect(long.startsWith(metadata.promptExcerpt!.slice(0, -1))).toBe(true);
    expect(metadata.promptSha256).toBe(imageObjectMetadata({ runId: 'r1', promptId: 'p0001', prompt: long, provider: 'counting', model: 'counting-v1', seed: 9 }).promptSha256);
  });
});
