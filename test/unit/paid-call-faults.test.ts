import type { CloudEvent } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { newPromptRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler, type StorageObjectData } from '../../functions/handlers/assess.js';
import { faultTable } from '../support/fault-injection.js';
import { generatorScenario, JUDGE_LEASE_MS, judgeScenario, OBJECT, planned, run, silent, verdict } from '../support/paid-call-scenarios.js';

/**
 * Issue 22: at most one paid call per prompt and per verdict, whatever single fault hits any call
 * a handler makes to its ports. Each scenario runs once clean to count the call sites, then once
 * per (call site, fault), redelivering as Pub/Sub and Eventarc would until the prompt settles.
 */
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
