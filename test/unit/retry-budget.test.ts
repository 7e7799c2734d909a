import type { CloudEvent } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ImageProvider } from '../../functions/core/objects/index.js';
import type { Logger, StoredObject } from '../../functions/core/ports.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { RECORD_WRITE_BUDGET_MS, STORAGE_WRITE_TOTAL_TIMEOUT_MS } from '../../functions/handlers/after-paid-call.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';

/** Issue 21 item 9: the call and every bounded retry after it fit inside the lease, at their worst. */
const silent: Logger = { info() {}, warn() {}, error() {} };
const run = {
  runId: 'r1', scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 1, seed: 1, categories: ['c'],
  provider: 'fake', model: 'fake-v1', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'local', image: { aspectRatio: '1:1', imageSize: '1K' },
  costEstimate: { images: 1, usdPerImage: 0, usd: 0, basis: 'test' },
} as unknown as RunRecord;
const event: CloudEvent<MessagePublishedData> = {
  specversion: '1.0', id: 'm1', source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: { message: { data: Buffer.from(JSON.stringify({ runId: 'r1', promptId: 'p0001' })).toString('base64') } },
};

describe('the lease holds the call and every retry after it', () => {
  it('loadConfig refuses a lease that cannot hold them, and accepts the least that can', () => {
    const base = { GOOGLE_CLOUD_PROJECT: 'p', IMAGE_BUCKET: 'bucket-1', IMAGE_PROVIDER: 'gemini', GEMINI_TIMEOUT_SECONDS: '60' };
    expect(() => loadConfig({ ...base, LEASE_SECONDS: '87' })).toThrow(/LEASE_SECONDS \(87\) must be at least GEMINI_TIMEOUT_SECONDS \(60\) \+ 28/);
    expect(loadConfig({ ...base, LEASE_SECONDS: '88' }).leaseMs).toBe(88_000);
  });

  it('at the least lease, the latest rate slot, a call that takes its whole timeout, and every write slow and failing still end inside the lease', async () => {
    const timeoutMs = 60_000;
    const leaseMs = 88_000;
    let clock = 1_000_000;
    const claimedAt = clock;
    const store = new MemoryRunStore();
    await store.createRun(run, [newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'c', prompt: 'a square', variables: {}, seed: 1 })]);
    // Every try of the image write takes the Storage client's whole total timeout, then fails.
    const bucket = new (class extends MemoryImageBucket {
      override async writeIfAbsent(): Promise<StoredObject & { created: boolean }> {
        clock += STORAGE_WRITE_TOTAL_TIMEOUT_MS;
        throw new Error('503 Service Unavailable');
      }
    })();
    // Recording the failure takes its whole budget and fails, three times, before it goes through.
    let markFailures = 3;
    const slowStore = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'markFailed' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: [string, string, string]) => {
          clock += RECORD_WRITE_BUDGET_MS;
          if (markFailures-- > 0) throw new Error('firestore: deadline exceeded');
          return store.markFailed(...args);
        };
      },
    });
    // The slot comes at the last moment the generator still waits for, found by asking for ever later ones.
    let refusedUntil = Infinity;
    const provider: ImageProvider = { name: 'fake', model: 'fake-v1', generate: async () => ((clock += timeoutMs), { png: Buffer.from('png'), model: 'fake-v1' }) };
    const generate = makeGenerateHandler({
      store: slowStore, bucket, provider, log: silent, leaseMs, maxAttempts: 3, callBudgetMs: timeoutMs, now: () => clock, sleep: async (ms) => void (clock += ms),
      rateLimiter: { tryAcquire: async (now) => (now >= refusedUntil ? { granted: true } : { granted: false, retryAfterMs: 100 }) },
    });
    // Find the latest start the generator accepts: with no slot ever, it gives up at that point.
    await expect(generate(event)).rejects.toThrow(/rate limit/);
    const latestStart = clock;
    clock = claimedAt + leaseMs + 1; // the backoff lease is over
    const reclaimedAt = clock;
    // Less the poll interval and its jitter, so the slot is surely taken before the generator gives up.
    refusedUntil = reclaimedAt + (latestStart - claimedAt) - 200;
    expect(await generate(event)).toEqual({ done: 'failed' });
    expect((await store.getPrompt('r1', 'p0001'))?.failureReason).toMatch(/^storage_error: /);
    expect(clock - reclaimedAt).toBeLessThanOrEqual(leaseMs);
  });
});
