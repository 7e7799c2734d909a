import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryLifecycleStore } from '../../functions/adapters/memory-lifecycle.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ImageJudge } from '../../functions/core/judge/index.js';
import type { Logger } from '../../functions/core/ports.js';
import { computeMetrics } from '../../functions/core/quality/index.js';
import { newPromptRecord, summariseRun, type PromptRecord, type ReconcileSettings, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { makeReconcileHandler, reassessWith } from '../../functions/handlers/reconcile.js';
import { currentRunState } from '../../functions/handlers/run-state.js';

/** Issue 22: a judged run completes only once every verdict has ended, and the reconciler finishes the judging. */
const silent: Logger = { info() {}, warn() {}, error() {} };
const MIN = 60_000;
const settings: ReconcileSettings = { intervalMs: MIN, staleMs: 10 * MIN, generateDeadlineMs: 90 * MIN, assessDeadlineMs: 30 * MIN };
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const pixels = { data: new Uint8Array(3 * 64).fill(128), width: 8, height: 8, channels: 3 };
const verdict = { relevance: 4, reason: 'fits', elements: [], artifacts: [], inappropriate: false, concerns: [], caption: 'A square.' };

const run = {
  runId: 'r1', scenario: { name: 's', context: 'A town.', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 2, seed: 1,
  categories: ['c'], provider: 'embedded', model: 'm', createdAt: new Date(T0).toISOString(), state: 'accepted', owner: 'u-1',
  image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 2, usdPerImage: 0, usd: 0, basis: 'test' }, judge: 'gemini',
} as unknown as RunRecord;

describe('the reconciler and a judged run', () => {
  let store: MemoryRunStore;
  let lifecycle: MemoryLifecycleStore;
  let bucket: MemoryImageBucket;
  let clock: number;
  let judgeCalls: number;
  let judgeAnswers: boolean;

  const judge: ImageJudge = {
    model: 'judge-v1',
    judge: async () => {
      judgeCalls += 1;
      if (!judgeAnswers) throw new Error('503 Service Unavailable');
      return { answer: verdict, usage: { imageTokens: 258, promptTokens: 300, outputTokens: 40 }, model: 'judge-v1' };
    },
  };
  const tick = () =>
    makeReconcileHandler({
      lifecycle,
      store,
      publisher: { publish: async () => ({ failed: [] }) },
      participants: { releaseRun: async () => {} },
      reassess: reassessWith(
        makeAssessHandler({
          store, bucket, log: silent, now: () => clock,
          decode: async () => pixels,
          judge: { judge, encode: async () => ({ mimeType: 'image/jpeg', data: Buffer.from('j') }), leaseMs: 35_000, callBudgetMs: 5000, maxAttempts: 3, sleep: async (ms) => void (clock += ms) },
        }),
        bucket,
        'b',
      ),
      settings,
      log: silent,
      now: () => clock,
    })();

  beforeEach(async () => {
    store = new MemoryRunStore();
    lifecycle = new MemoryLifecycleStore(store);
    bucket = new MemoryImageBucket();
    clock = T0 + 12 * MIN;
    judgeCalls = 0;
    judgeAnswers = true;
    const prompts: PromptRecord[] = [];
    for (const index of [1, 2]) {
      const name = `runs/r1/c/p000${index}.png`;
      const { generation } = await bucket.writeIfAbsent(name, Buffer.from('png'), {});
      const judged = index === 1 ? { judge: { status: 'judged', generation, model: 'judge-v1', attempts: 1, leaseOwner: null, leaseExpiresAt: null, lastError: null, reason: null, answer: verdict, usage: null, judgedAt: new Date(T0).toISOString() } } : {};
      prompts.push({
        ...newPromptRecord('r1', { promptId: `p000${index}`, index, category: 'c', prompt: `prompt ${index}`, variables: {}, seed: index }),
        status: 'assessed', objectName: name, objectGeneration: generation, assessedGeneration: generation,
        generatedAt: new Date(T0).toISOString(), assessedAt: new Date(T0 + MIN).toISOString(), queuedAt: T0,
        metrics: computeMetrics(pixels), ...judged,
      } as PromptRecord);
    }
    // p0002 was assessed, but its judging was lost (a reassessment without the judge, or a delivery given up).
    await store.createRun(run, prompts);
  });

  it('a run whose prompts have all ended stays running, in its judging stage, while a verdict is owed', async () => {
    expect(await currentRunState(store, run)).toEqual({ state: 'running', verdictsOwed: 1 });
  });

  it('judges the image whose judging was lost, once, through the assessor\'s code; the next tick completes the run', async () => {
    expect(await tick()).toMatchObject({ reassessed: 1, completedRuns: 0 });
    expect(judgeCalls).toBe(1);
    expect((await store.getPrompt('r1', 'p0002'))?.judge).toMatchObject({ status: 'judged', answer: { caption: 'A square.' } });
    clock += MIN;
    expect(await tick()).toMatchObject({ reassessed: 0, completedRuns: 1 });
    expect(judgeCalls).toBe(1);
    expect(await currentRunState(store, run)).toEqual({ state: 'completed', verdictsOwed: 0 });
  });

  it('past the assessment deadline the verdict ends failed as lost, and the run completes with a reason for every image', async () => {
    judgeAnswers = false;
    await tick().catch(() => undefined);
    clock = T0 + 31 * MIN;
    expect(await tick()).toMatchObject({ failed: 1, completedRuns: 1 });
    const prompts = await store.listPrompts('r1');
    expect(prompts[1]?.judge).toMatchObject({ status: 'failed', reason: 'lost: not judged within 30 min' });
    expect(prompts.every((prompt) => prompt.judge?.status === 'judged' || prompt.judge?.status === 'failed')).toBe(true);
  });

  it('a cancelled run\'s owed verdict ends cancelled at the next tick, with no judge call, and the run completes', async () => {
    const prompts = await store.listPrompts('r1');
    await store.deleteRun('r1');
    const cancelled = { ...run, cancelledAt: new Date(T0 + 11 * MIN).toISOString() };
    await store.createRun(cancelled, prompts);
    expect(await tick()).toMatchObject({ failed: 1, completedRuns: 1 });
    expect(judgeCalls).toBe(0);
    expect((await store.getPrompt('r1', 'p0002'))?.judge).toMatchObject({ status: 'failed', reason: 'cancelled' });
    expect(await currentRunState(store, cancelled)).toEqual({ state: 'completed', verdictsOwed: 0 });
  });

  it('a verdict whose call went out and never came back is counted in the run\'s report', async () => {
    const marked = (await store.getPrompt('r1', 'p0002'))!;
    await store.claimJudge('r1', 'p0002', marked.assessedGeneration!, 'judge-v1', { owner: 'dead', now: clock, leaseMs: 35_000 });
    await store.beginJudgeCall('r1', 'p0002', marked.assessedGeneration!, 'dead', clock);
    clock += 11 * MIN;
    await tick();
    expect(judgeCalls).toBe(0);
    const prompts = await store.listPrompts('r1');
    expect(prompts[1]?.judge?.reason).toMatch(/^unknown_outcome: /);
    expect(summariseRun(run, prompts, clock).unknownOutcomes).toEqual({ images: 0, verdicts: 1 });
  });
});
