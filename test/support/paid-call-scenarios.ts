/**
 * One prompt through the generator, and one image through the assessor's judge, with every port
 * wrapped in a fault injector, redelivered as Pub/Sub and Eventarc would until the prompt settles.
 * The stores are in memory unless a test passes a backend (the Firestore and Cloud Storage adapters
 * on the emulators). Shared by the fault tests and `npm run soak:paid-calls`.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ImageJudge } from '../../functions/core/judge/index.js';
import type { ImageProvider } from '../../functions/core/objects/index.js';
import type { ImageBucket, Logger, RateLimiter, RunStore } from '../../functions/core/ports.js';
import { imageObjectName, newPromptRecord, type PromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler, type StorageObjectData } from '../../functions/handlers/assess.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { FaultInjector, type CallRecord, type FaultSpec } from './fault-injection.js';

export const silent: Logger = { info() {}, warn() {}, error() {} };
const GENERATE_LEASE_MS = 120_000;
export const JUDGE_LEASE_MS = 35_000;
const scenario = { name: 's', context: 'A fictional town.', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } };
export const run = {
  runId: 'r1', scenario, count: 1, seed: 1, categories: ['c'], provider: 'fake', model: 'fake-v1', createdAt: new Date(0).toISOString(),
  state: 'accepted', owner: 'local', image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usdPerImage: 0, usd: 0, basis: 'test' }, judge: 'gemini',
} as unknown as RunRecord;
export const planned = { promptId: 'p0001', index: 1, category: 'c', prompt: 'a square', variables: {}, seed: 9 };
export const OBJECT = 'runs/r1/c/p0001.png';

/** Where one scenario keeps its run: a run id of its own, so scenarios can share an emulator. */
export interface Backend {
  store: RunStore;
  bucket: ImageBucket;
  runId: string;
  /** A deployment-wide limiter with room for every call; in memory when omitted. */
  rateLimiter?: RateLimiter;
}

const memoryBackend = (): Backend => ({ store: new MemoryRunStore(), bucket: new MemoryImageBucket(), runId: 'r1' });
const roomyLimiter = (backend: Backend): RateLimiter => backend.rateLimiter ?? new MemoryRateLimiter(6000);

export interface Outcome {
  paid: number;
  prompt: PromptRecord;
  stored: boolean;
  calls: CallRecord[];
  fired: FaultInjector['fired'];
  /** What the paid judge call reported using, as recorded on the verdict (null when none was recorded). */
  recordedUsage?: unknown;
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

export async function generatorScenario(spec: FaultSpec | null, backend: Backend = memoryBackend()): Promise<Outcome> {
  const { store, bucket, runId } = backend;
  const objectName = imageObjectName(runId, planned.category, planned.promptId);
  await store.createRun({ ...run, runId }, [newPromptRecord(runId, planned)]);
  let paid = 0;
  const provider: ImageProvider = { name: 'fake', model: 'fake-v1', generate: async () => (paid++, { png: Buffer.from('png'), model: 'fake-v1' }) };
  const event: CloudEvent<MessagePublishedData> = {
    specversion: '1.0', id: 'm1', source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
    data: { message: { data: Buffer.from(JSON.stringify({ runId, promptId: planned.promptId })).toString('base64') } },
  };
  const injector = await settle(spec, GENERATE_LEASE_MS, (faults, clock) => {
    const generate = makeGenerateHandler({
      store: faults.wrap('store', store), bucket: faults.wrap('bucket', bucket), provider: faults.wrap('model', provider),
      rateLimiter: faults.wrap('limiter', roomyLimiter(backend)), log: silent, leaseMs: GENERATE_LEASE_MS, maxAttempts: 3, callBudgetMs: 30_000,
      now: () => clock.now, sleep: async (ms) => void (clock.now += ms),
    });
    return { deliver: () => generate(event), settled: async () => ['generated', 'failed'].includes((await store.getPrompt(runId, planned.promptId))!.status) };
  });
  return { paid, prompt: (await store.getPrompt(runId, planned.promptId))!, stored: (await bucket.stat(objectName)) !== null, calls: injector.calls, fired: injector.fired };
}

/** What one paid judge call reports using: a verdict recorded twice over would not be this. */
export const judgeUsage = { imageTokens: 258, promptTokens: 300, outputTokens: 40 };
export const verdict = { relevance: 4, reason: 'fits', elements: [], artifacts: [], inappropriate: false, concerns: [], caption: 'A square.', culturalSensitivity: 'ok' as const, scenarioAligned: true };

export async function judgeScenario(spec: FaultSpec | null, backend: Backend = memoryBackend()): Promise<Outcome> {
  const { store, bucket, runId } = backend;
  const objectName = imageObjectName(runId, planned.category, planned.promptId);
  await store.createRun({ ...run, runId }, [newPromptRecord(runId, planned)]);
  const { generation } = await bucket.writeIfAbsent(objectName, Buffer.from('png'), {});
  let paid = 0;
  const judge: ImageJudge = { model: 'judge-v1', judge: async () => (paid++, { answer: verdict, usage: judgeUsage, model: 'judge-v1' }) };
  const event: CloudEvent<StorageObjectData> = { specversion: '1.0', id: 'e1', source: '//storage', type: 'google.cloud.storage.object.v1.finalized', data: { name: objectName, contentType: 'image/png', generation } };
  const injector = await settle(spec, JUDGE_LEASE_MS, (faults, clock) => {
    const assess = makeAssessHandler({
      store: faults.wrap('store', store), bucket: faults.wrap('bucket', bucket), log: silent, now: () => clock.now,
      decode: async () => ({ data: new Uint8Array(4 * 4 * 3).fill(120), width: 4, height: 4, channels: 3 }),
      judge: {
        judge: faults.wrap('model', judge), encode: async () => ({ mimeType: 'image/jpeg', data: Buffer.from('jpeg') }),
        rateLimiter: faults.wrap('limiter', roomyLimiter(backend)), leaseMs: JUDGE_LEASE_MS, callBudgetMs: 5000, maxAttempts: 3,
        sleep: async (ms) => void (clock.now += ms),
      },
    });
    return {
      deliver: () => assess(event),
      settled: async () => {
        const prompt = (await store.getPrompt(runId, planned.promptId))!;
        return prompt.status === 'assessed' && (prompt.judge?.status === 'judged' || prompt.judge?.status === 'failed');
      },
    };
  });
  const prompt = (await store.getPrompt(runId, planned.promptId))!;
  return { paid, prompt, stored: true, calls: injector.calls, fired: injector.fired, recordedUsage: prompt.judge?.usage ?? null };
}

