import type { CloudEvent } from '@google-cloud/functions-framework';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { PermanentProviderError, TransientProviderError, type ImageProvider, type ImageRequest } from '../../functions/core/image-provider.js';
import { MemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.js';
import type { Logger } from '../../functions/core/ports.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/run-model.js';
import { RetryLater } from '../../functions/handlers/event-outcome.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';

const silent: Logger = { info() {}, warn() {}, error() {} };

class ScriptedProvider implements ImageProvider {
  readonly name = 'scripted';
  readonly model = 'scripted-v1';
  calls: ImageRequest[] = [];
  constructor(private readonly script: Array<'ok' | 'transient' | 'blocked' | 'rate-limited'> = []) {}
  async generate(request: ImageRequest) {
    this.calls.push(request);
    const step = this.script.shift() ?? 'ok';
    if (step === 'transient') throw new Error('503 unavailable');
    if (step === 'blocked') throw new PermanentProviderError('blocked:SAFETY');
    if (step === 'rate-limited') throw new TransientProviderError('429 RESOURCE_EXHAUSTED', 2000, 429);
    return { png: Buffer.from(`png:${request.prompt}`), model: this.model };
  }
}

const run: RunRecord = {
  runId: 'r1', scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 1, seed: 1,
  categories: ['c'], provider: 'scripted', model: 'scripted-v1', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'local',
  image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usdPerImage: 0, usd: 0, basis: 'test' },
};

const event = (data: object | string): CloudEvent<MessagePublishedData> => ({
  specversion: '1.0', id: 'm1', source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: { message: { data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64') } },
});

describe('generateImage handler', () => {
  let store: MemoryRunStore;
  let bucket: MemoryImageBucket;
  let clock: number;

  beforeEach(async () => {
    store = new MemoryRunStore();
    bucket = new MemoryImageBucket();
    clock = 1_000_000;
    await store.createRun(run, [newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'c', prompt: 'a square', variables: {}, seed: 9 })]);
  });

  const handler = (provider: ImageProvider, maxAttempts = 3) =>
    makeGenerateHandler({ store, bucket, provider, log: silent, leaseMs: 10_000, maxAttempts, now: () => clock });

  it('generates once, and a duplicate delivery makes no second call or object', async () => {
    const provider = new ScriptedProvider();
    const generate = handler(provider);
    expect(await generate(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    expect(await generate(event({ runId: 'r1', promptId: 'p0001' }))).toMatchObject({ done: 'skipped' });
    expect(provider.calls).toHaveLength(1);
    expect(bucket.objects.size).toBe(1);
    const object = bucket.objects.get('runs/r1/c/p0001.png')!;
    expect(object.metadata).toMatchObject({ runId: 'r1', promptId: 'p0001', promptExcerpt: 'a square', provider: 'scripted', model: 'scripted-v1', seed: '9' });
    expect(object.metadata.promptSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(object.metadata).not.toHaveProperty('prompt');
    expect(await store.getPrompt('r1', 'p0001')).toMatchObject({ status: 'generated', attempts: 1, objectName: 'runs/r1/c/p0001.png' });
  });

  it('retries (throws) while another worker holds the lease, and takes over once it expires', async () => {
    await store.claimPrompt('r1', 'p0001', { owner: 'dead-worker', now: clock, leaseMs: 10_000 });
    const provider = new ScriptedProvider();
    await expect(handler(provider)(event({ runId: 'r1', promptId: 'p0001' }))).rejects.toBeInstanceOf(RetryLater);
    expect(provider.calls).toHaveLength(0);
    clock += 10_001;
    expect(await handler(provider)(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    expect(provider.calls).toHaveLength(1);
  });

  it('finishes without a model call when a dead worker already wrote the image', async () => {
    await store.claimPrompt('r1', 'p0001', { owner: 'dead-worker', now: clock, leaseMs: 10_000 });
    await bucket.writeIfAbsent('runs/r1/c/p0001.png', Buffer.from('x'), {});
    clock += 10_001;
    const provider = new ScriptedProvider();
    expect(await handler(provider)(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    expect(provider.calls).toHaveLength(0);
  });

  it.each([
    { script: ['transient', 'ok'] as const, outcomes: ['retry', 'generated'], status: 'generated', reason: null },
    { script: ['blocked'] as const, outcomes: ['failed'], status: 'failed', reason: 'blocked:SAFETY' },
    { script: ['transient', 'transient', 'transient'] as const, outcomes: ['retry', 'retry', 'failed'], status: 'failed', reason: 'gave up after 3 attempts: 503 unavailable' },
  ])('provider script $script ends $status', async ({ script, outcomes, status, reason }) => {
    const generate = handler(new ScriptedProvider([...script]));
    for (const expected of outcomes) {
      clock += 60_001; // past any backoff, as a later redelivery would be
      const outcome = await generate(event({ runId: 'r1', promptId: 'p0001' })).then((r) => r.done, (e) => (e instanceof RetryLater ? 'retry' : 'error'));
      expect(outcome).toBe(expected);
    }
    expect(await store.getPrompt('r1', 'p0001')).toMatchObject({ status, failureReason: reason });
  });

  it('fails a prompt whose workers keep dying once attempts are used up', async () => {
    for (let i = 0; i < 3; i++) {
      await store.claimPrompt('r1', 'p0001', { owner: `dead-${i}`, now: clock, leaseMs: 10_000 });
      clock += 10_001;
    }
    const provider = new ScriptedProvider();
    expect(await handler(provider)(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'failed' });
    expect(provider.calls).toHaveLength(0);
    expect((await store.getPrompt('r1', 'p0001'))?.failureReason).toMatch(/gave up after 3 attempts/);
  });

  it.each(['not json', '{"runId":1}', '{}'])('acknowledges a malformed message %s without retrying', async (data) => {
    expect(await handler(new ScriptedProvider())(event(data))).toMatchObject({ done: 'skipped', reason: 'malformed message' });
  });

  it('honours a 429 retry hint: redeliveries before it make no model call', async () => {
    const provider = new ScriptedProvider(['rate-limited', 'ok']);
    const generate = handler(provider);
    await expect(generate(event({ runId: 'r1', promptId: 'p0001' }))).rejects.toBeInstanceOf(RetryLater);
    expect(await store.getPrompt('r1', 'p0001')).toMatchObject({ leaseOwner: 'backoff', leaseExpiresAt: clock + 2000, lastError: '429 RESOURCE_EXHAUSTED' });
    clock += 1999;
    await expect(generate(event({ runId: 'r1', promptId: 'p0001' }))).rejects.toBeInstanceOf(RetryLater);
    expect(provider.calls).toHaveLength(1);
    clock += 2;
    expect(await generate(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    expect(provider.calls).toHaveLength(2);
  });

  it('does not count waits for a rate-limit slot as attempts', async () => {
    const limiter = new MemoryRateLimiter(6);
    await limiter.tryAcquire(clock);
    const provider = new ScriptedProvider();
    const base = { store, bucket, provider, log: silent, maxAttempts: 2, rateLimiter: limiter, now: () => clock, sleep: async (ms: number) => void (clock += ms) };
    for (let i = 0; i < 5; i++) {
      // A lease too short to wait for the next token (one per 10 s): each delivery gives the prompt back.
      await expect(makeGenerateHandler({ ...base, leaseMs: 12_000, callBudgetMs: 5_000 })(event({ runId: 'r1', promptId: 'p0001' }))).rejects.toThrow(/rate limit reached/);
      expect(await store.getPrompt('r1', 'p0001')).toMatchObject({ status: 'generating', attempts: 0 });
      // Past the backoff lease; another worker takes the token that came meanwhile.
      clock += 10_001;
      expect((await limiter.tryAcquire(clock)).granted).toBe(true);
    }
    clock += 10_001;
    expect(await makeGenerateHandler({ ...base, leaseMs: 60_000 })(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    expect(await store.getPrompt('r1', 'p0001')).toMatchObject({ status: 'generated', attempts: 1 });
    expect(provider.calls).toHaveLength(1);
  });

  it('waits for a rate-limit slot, and gives the prompt back when none comes within the lease', async () => {
    const limiter = new MemoryRateLimiter(6);
    await limiter.tryAcquire(clock);
    const provider = new ScriptedProvider();
    const slept: number[] = [];
    const base = { store, bucket, provider, log: silent, maxAttempts: 3, rateLimiter: limiter, now: () => clock, sleep: async (ms: number) => { slept.push(ms); clock += ms; } };
    await expect(makeGenerateHandler({ ...base, leaseMs: 12_000, callBudgetMs: 5_000 })(event({ runId: 'r1', promptId: 'p0001' }))).rejects.toThrow(/rate limit reached/);
    expect(provider.calls).toHaveLength(0);
    expect((await store.getPrompt('r1', 'p0001'))?.leaseOwner).toBe('backoff');
    clock += 10_000;
    expect(await makeGenerateHandler({ ...base, leaseMs: 60_000 })(event({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    expect(provider.calls).toHaveLength(1);
  });
});
