import type { CloudEvent } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ImageJudge } from '../../functions/core/judge/index.js';
import type { ImageProvider } from '../../functions/core/objects/index.js';
import type { Logger } from '../../functions/core/ports.js';
import { newPromptRecord, type PromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler, type StorageObjectData } from '../../functions/handlers/assess.js';
import { makeGenerateHandler, type MessagePublishedData } from '../../functions/handlers/generate.js';
import { FaultInjector, faultTable, type CallRecord, type FaultSpec } from '../support/fault-injection.js';

/**
 * Issue 22: at most one paid call per prompt and per verdict, whatever single fault hits any call
 * a handler makes to its ports. Each scenario runs once clean to count the call sites, then once
 * per (call site, fault), redelivering as Pub/Sub and Eventarc would until the prompt settles.
 */
const silent: Logger = { info() {}, warn() {}, error() {} };
const GENERATE_LEASE_MS = 120_000;
const JUDGE_LEASE_MS = 35_000;
const scenario = { name: 's', context: 'A fictional town.', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } };
const run = {
  runId: 'r1', scenario, count: 1, seed: 1, categories: ['c'], provider: 'fake', model: 'fake-v1', createdAt: new Date(0).toISOString(),
  state: 'accepted', owner: 'local', image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usdPerImage: 0, usd: 0, basis: 'test' }, judge: 'gemini',
} as unknown as RunRecord;
const planned = { promptId: 'p0001', index: 1, category: 'c', prompt: 'a square', variables: {}, seed: 9 };
const OBJECT = 'runs/r1/c/p0001.png';

interface Outcome {
  paid: number;
  prompt: PromptRecord;
  stored: boolean;
  calls: CallRecord[];
  fired: FaultInjector['fired'];
}

/** Delivers one event until the prompt settles; a kill abandons the delivery where it stopped. */
async function settle(spec: FaultSpec | null, leaseMs: number, build: (injector: FaultInjector, clock: { now: number }) => { deliver: () => Promise<unknown>; settled: () => Promise<boolean> }) {
  const clock = { now: 1_000_000 };
  let killed = () => {};
  let deliverOnce: () => Promise<string> = async () => 'none';
  const injector = new FaultInjector(spec, {
    now: () => clock.now,
    leaseMs,
    whileDelayed: async () => {
      clock.now += leaseMs + 1000;
      await deliverOnce();
    },
    onKill: () => killed(),
  });
  const { deliver, settled } = build(injector, clock);
  deliverOnce = () => {
    const stopped = new Promise<string>((resolve) => (killed = () => resolve('killed')));
    return Promise.race([deliver().then(() => 'returned', () => 'retry'), stopped]);
  };
  for (let delivery = 0; delivery < 10; delivery++) {
    await deliverOnce();
    if (await settled()) break;
    clock.now += leaseMs + 1000;
  }
  return injector;
}

async function generatorScenario(spec: FaultSpec | null): Promise<Outcome> {
  const store = new MemoryRunStore();
  const bucket = new MemoryImageBucket();
  await store.createRun(run, [newPromptRecord('r1', planned)]);
  let paid = 0;
  const provider: ImageProvider = { name: 'fake', model: 'fake-v1', generate: async () => (paid++, { png: Buffer.from('png'), model: 'fake-v1' }) };
  const event: CloudEvent<MessagePublishedData> = {
    specversion: '1.0', id: 'm1', source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
    data: { message: { data: Buffer.from(JSON.stringify({ runId: 'r1', promptId: 'p0001' })).toString('base64') } },
  };
  const injector = await settle(spec, GENERATE_LEASE_MS, (faults, clock) => {
    const generate = makeGenerateHandler({
      store: faults.wrap('store', store), bucket: faults.wrap('bucket', bucket), provider: faults.wrap('model', provider),
      rateLimiter: faults.wrap('limiter', new MemoryRateLimiter(6000)), log: silent, leaseMs: GENERATE_LEASE_MS, maxAttempts: 3, callBudgetMs: 30_000,
      now: () => clock.now, sleep: async (ms) => void (clock.now += ms),
    });
    return { deliver: () => generate(event), settled: async () => ['generated', 'failed'].includes((await store.getPrompt('r1', 'p0001'))!.status) };
  });
  return { paid, prompt: (await store.getPrompt('r1', 'p0001'))!, stored: bucket.objects.has(OBJECT), calls: injector.calls, fired: injector.fired };
}

const verdict = { relevance: 4, reason: 'fits', elements: [], artifacts: [], inappropriate: false, concerns: [], caption: 'A square.' };

async function judgeScenario(spec: FaultSpec | null): Promise<Outcome> {
  const store = new MemoryRunStore();
  const bucket = new MemoryImageBucket();
  await store.createRun(run, [newPromptRecord('r1', planned)]);
  const { generation } = await bucket.writeIfAbsent(OBJECT, Buffer.from('png'), {});
  let paid = 0;
  const judge: ImageJudge = { model: 'judge-v1', judge: async () => (paid++, { answer: verdict, usage: { imageTokens: 258, promptTokens: 300, outputTokens: 40 }, model: 'judge-v1' }) };
  const event: CloudEvent<StorageObjectData> = { specversion: '1.0', id: 'e1', source: '//storage', type: 'google.cloud.storage.object.v1.finalized', data: { name: OBJECT, contentType: 'image/png', generation } };
  const injector = await settle(spec, JUDGE_LEASE_MS, (faults, clock) => {
    const assess = makeAssessHandler({
      store: faults.wrap('store', store), bucket: faults.wrap('bucket', bucket), log: silent, now: () => clock.now,
      decode: async () => ({ data: new Uint8Array(4 * 4 * 3).fill(120), width: 4, height: 4, channels: 3 }),
      judge: {
        judge: faults.wrap('model', judge), encode: async () => ({ mimeType: 'image/jpeg', data: Buffer.from('jpeg') }),
        rateLimiter: faults.wrap('limiter', new MemoryRateLimiter(6000)), leaseMs: JUDGE_LEASE_MS, callBudgetMs: 5000, maxAttempts: 3,
        sleep: async (ms) => void (clock.now += ms),
      },
    });
    return {
      deliver: () => assess(event),
      settled: async () => {
        const prompt = (await store.getPrompt('r1', 'p0001'))!;
        return prompt.status === 'assessed' && (prompt.judge?.status === 'judged' || prompt.judge?.status === 'failed');
      },
    };
  });
  return { paid, prompt: (await store.getPrompt('r1', 'p0001'))!, stored: true, calls: injector.calls, fired: injector.fired };
}

// The clean runs count the call sites; every one of them is then put through every fault.
const cleanGeneration = await generatorScenario(null);
const cleanJudging = await judgeScenario(null);
const UNKNOWN_OR_LOST = /^(unknown_outcome|storage_error): /;

describe('the generator under one fault at each of its port calls', () => {
  it('a clean run pays once and stores the image', () => {
    expect(cleanGeneration).toMatchObject({ paid: 1, stored: true, prompt: { status: 'generated', modelCallAt: null } });
    // The sites the table is built from: the claim, the rate slot, the in-flight mark, the model, the write, the record.
    expect(cleanGeneration.calls.map((call) => `${call.port}.${call.method}`)).toEqual(
      expect.arrayContaining(['store.claimPrompt', 'limiter.tryAcquire', 'store.beginModelCall', 'model.generate', 'bucket.writeIfAbsent', 'store.markGenerated']),
    );
  });

  it.each(faultTable(cleanGeneration.calls))('call $at ($site), $kind: at most one paid call, and a final state that keeps any stored image', async (spec) => {
    const outcome = await generatorScenario(spec);
    expect(outcome.fired).not.toBeNull();
    expect(outcome.paid).toBeLessThanOrEqual(1);
    expect(['generated', 'failed']).toContain(outcome.prompt.status);
    // An image that was stored is never given up: the prompt says generated exactly when the image is there.
    expect(outcome.stored).toBe(outcome.prompt.status === 'generated');
    if (outcome.prompt.status === 'failed') expect(outcome.prompt.failureReason).toMatch(UNKNOWN_OR_LOST);
    // A process that lives on never loses the answer it holds to a passing fault.
    if (spec.kind === 'fail once') expect(outcome).toMatchObject({ paid: 1, prompt: { status: 'generated' } });
  });
});

describe('the judge under one fault at each of the assessor\'s port calls', () => {
  it('a clean run pays once and records the verdict', () => {
    expect(cleanJudging).toMatchObject({ paid: 1, prompt: { status: 'assessed', judge: { status: 'judged', callAt: null } } });
    expect(cleanJudging.calls.map((call) => `${call.port}.${call.method}`)).toEqual(
      expect.arrayContaining(['store.claimJudge', 'limiter.tryAcquire', 'store.beginJudgeCall', 'model.judge', 'store.recordJudge', 'store.saveRunSummary']),
    );
  });

  it.each(faultTable(cleanJudging.calls))('call $at ($site), $kind: at most one paid verdict, recorded once or failed as unknown', async (spec) => {
    const outcome = await judgeScenario(spec);
    expect(outcome.fired).not.toBeNull();
    expect(outcome.paid).toBeLessThanOrEqual(1);
    expect(outcome.prompt.status).toBe('assessed');
    expect(['judged', 'failed']).toContain(outcome.prompt.judge?.status);
    if (outcome.prompt.judge?.status === 'failed') expect(outcome.prompt.judge.reason).toMatch(/^unknown_outcome: /);
    if (spec.kind === 'fail once') expect(outcome).toMatchObject({ paid: 1, prompt: { judge: { status: 'judged' } } });
  });
});

describe('the judge\'s wait for a rate slot', () => {
  it('a slot that would come too late for the call to fit the lease is not waited for: no judge call, the event is retried', async () => {
    const store = new MemoryRunStore();
    const bucket = new MemoryImageBucket();
    await store.createRun(run, [newPromptRecord('r1', planned)]);
    const { generation } = await bucket.writeIfAbsent(OBJECT, Buffer.from('png'), {});
    let clock = 1_000_000;
    let paid = 0;
    // The slot comes 10 s on; the lease (35 s) less the call's timeout (30 s) leaves no room for that.
    const slotAt = clock + 10_000;
    const assess = makeAssessHandler({
      store, bucket, log: silent, now: () => clock,
      decode: async () => ({ data: new Uint8Array(4 * 4 * 3).fill(120), width: 4, height: 4, channels: 3 }),
      judge: {
        judge: { model: 'judge-v1', judge: async () => (paid++, { answer: verdict, usage: { imageTokens: 1, promptTokens: 1, outputTokens: 1 }, model: 'judge-v1' }) },
        encode: async () => ({ mimeType: 'image/jpeg', data: Buffer.from('jpeg') }),
        rateLimiter: { tryAcquire: async (now) => (now >= slotAt ? { granted: true } : { granted: false, retryAfterMs: slotAt - now }) },
        leaseMs: JUDGE_LEASE_MS, callBudgetMs: 30_000, maxAttempts: 3, sleep: async (ms) => void (clock += ms),
      },
    });
    const event: CloudEvent<StorageObjectData> = { specversion: '1.0', id: 'e1', source: '//storage', type: 'google.cloud.storage.object.v1.finalized', data: { name: OBJECT, contentType: 'image/png', generation } };
    await expect(assess(event)).rejects.toThrow(/judge rate limit/);
    expect(paid).toBe(0);
    expect(clock).toBe(1_000_000);
    expect((await store.getPrompt('r1', 'p0001'))?.judge).toMatchObject({ status: 'judging', leaseOwner: 'backoff', leaseExpiresAt: slotAt });
    clock = slotAt;
    await assess(event);
    expect(paid).toBe(1);
  });
});
