import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { customMetadataBytes, imageObjectMetadata, MAX_CUSTOM_METADATA_BYTES, PermanentStorageError } from '../../functions/core/objects/index.js';
import type { StoredObject } from '../../functions/core/ports.js';
import { newPromptRecord } from '../../functions/core/runs/index.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { oneCategoryRun, publishedEvent, ScriptedProvider, silent } from '../support/kit.js';

/** Issue 11, billing safety: once the model has answered, no outcome may lead to a second model call. */
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

const run = oneCategoryRun();
const event = () => publishedEvent({ runId: 'r1', promptId: 'p0001' });

describe('a storage write that fails after the model answered', () => {
  let store: MemoryRunStore;
  let clock: number;

  const setUp = async (prompt = 'a square') => {
    store = new MemoryRunStore();
    clock = 1_000_000;
    await store.createRun(run, [newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'c', prompt, variables: {}, seed: 9 })]);
  };
  beforeEach(() => setUp());

  const deliverThrice = async (bucket: MemoryImageBucket, provider: ScriptedProvider) => {
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
    { name: 'refused for good (4xx)', failures: 1, error: () => new PermanentStorageError('Cloud Storage refused the write (400): bad request'), status: 'failed', writes: 1, slept: [] },
    { name: 'unavailable throughout', failures: 99, error: () => new Error('503 Service Unavailable'), status: 'failed', writes: 3, slept: [1000, 2000] },
    { name: 'unavailable for a moment', failures: 1, error: () => new Error('socket hang up'), status: 'generated', writes: 2, slept: [1000] },
  ])('$name: exactly one model call, prompt $status', async ({ failures, error, status, writes, slept: expectedSleeps }) => {
    const bucket = new FailingBucket(failures, error);
    const provider = new ScriptedProvider();
    const { outcomes, slept } = await deliverThrice(bucket, provider);
    expect(provider.calls).toHaveLength(1);
    expect(outcomes[0]).toBe(status);
    expect(outcomes.slice(1)).toEqual(['skipped', 'skipped']);
    expect(bucket.writes).toBe(writes);
    expect(slept).toEqual(expectedSleeps);
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
    const provider = new ScriptedProvider();
    const { outcomes } = await deliverThrice(bucket, provider);
    expect(outcomes[0]).toBe('generated');
    const metadata = bucket.objects.get('runs/r1/c/p0001.png')!.metadata;
    expect(customMetadataBytes(metadata)).toBeLessThanOrEqual(MAX_CUSTOM_METADATA_BYTES);
    expect(long.startsWith(metadata.promptExcerpt!.slice(0, -1))).toBe(true);
    expect(metadata.promptSha256).toBe(imageObjectMetadata({ runId: 'r1', promptId: 'p0001', prompt: long, provider: 'scripted', model: 'scripted-v1', seed: 9 }).promptSha256);
  });
});
