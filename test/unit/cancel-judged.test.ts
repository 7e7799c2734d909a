import { describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryLifecycleStore } from '../../functions/adapters/memory-lifecycle.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { imagePromptsJson } from '../../functions/core/export/index.js';
import type { JudgeRecord } from '../../functions/core/judge/index.js';
import type { PromptRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { cancelRun } from '../../functions/handlers/cancel-routes.js';
import { currentRunState } from '../../functions/handlers/run-state.js';
import { finalizedEvent, oneCategoryRun, promptOf, silent } from '../support/kit.js';
import { judgeUsage, verdict } from '../support/paid-call-scenarios.js';

const NOW = 1_000_000;
const run = oneCategoryRun({ count: 4, judge: 'gemini' });
const judging = (changes: Partial<JudgeRecord>): JudgeRecord => ({
  status: 'judging', generation: '1', model: 'judge-v1', attempts: 1, leaseOwner: null, leaseExpiresAt: null, lastError: null, reason: null, answer: null, usage: null, judgedAt: null, ...changes,
});
const assessed = (index: number, judge: JudgeRecord): PromptRecord =>
  promptOf('r1', index, { status: 'assessed', objectName: `runs/r1/c/p000${index}.png`, objectGeneration: '1', assessedGeneration: '1', assessedAt: new Date(NOW).toISOString(), judge });

/**
 * Cancelling a judged run while verdicts are owed: the run still ends, and every image ends with a
 * verdict or the reason it has none. A verdict whose call is out is paid for, so it is kept.
 */
describe('cancelling a judged run with verdicts owed', () => {
  it('ends owed verdicts cancelled, keeps a verdict in flight, judges nothing assessed afterwards, and then completes', async () => {
    const store = new MemoryRunStore();
    const lifecycle = new MemoryLifecycleStore(store);
    const bucket = new MemoryImageBucket();
    await store.createRun(run, [
      // Waiting out a 429's RetryInfo: owed, and no call out.
      assessed(1, judging({ leaseOwner: 'backoff', leaseExpiresAt: NOW + 30_000, lastError: '429' })),
      // A worker's judge call is out: its lease is live.
      assessed(2, judging({ leaseOwner: 'w', leaseExpiresAt: NOW + 60_000, callOwner: 'w', callAt: NOW - 1000 })),
      assessed(3, { ...judging({}), status: 'judged', answer: verdict, usage: judgeUsage, judgedAt: new Date(NOW).toISOString() }),
      promptOf('r1', 4, { status: 'generated', objectName: 'runs/r1/c/p0004.png', objectGeneration: '1', generatedAt: new Date(NOW).toISOString() }),
    ]);
    const deps = { store, lifecycle, log: silent, participants: { releaseRun: async () => {} } };

    expect(await cancelRun(deps, run, NOW)).toEqual({ runId: 'r1', cancelled: 0, unfinished: 1 });
    const judgeOf = async (promptId: string) => (await store.getPrompt('r1', promptId))?.judge;
    expect(await judgeOf('p0001')).toMatchObject({ status: 'failed', reason: 'cancelled' });
    expect(await judgeOf('p0002')).toMatchObject({ status: 'judging', leaseOwner: 'w' });
    expect(await judgeOf('p0003')).toMatchObject({ status: 'judged' });
    expect((await store.getRun('r1'))?.completedAt).toBeFalsy();

    // The worker whose call was out brings its verdict: it was paid for, and is kept.
    await store.recordJudge('r1', 'p0002', '1', 'w', { answer: verdict, usage: judgeUsage, model: 'judge-v1' }, NOW + 2000);
    expect(await judgeOf('p0002')).toMatchObject({ status: 'judged' });

    // The image stored before the cancel is assessed after it, and not sent to the judge.
    let judgeCalls = 0;
    const { generation } = await bucket.writeIfAbsent('runs/r1/c/p0004.png', Buffer.from('png'), {});
    const assess = makeAssessHandler({
      store, bucket, log: silent, now: () => NOW + 3000,
      decode: async () => ({ data: new Uint8Array(4 * 4 * 3).fill(120), width: 4, height: 4, channels: 3 }),
      judge: {
        judge: { model: 'judge-v1', judge: async () => (judgeCalls++, { answer: verdict, usage: judgeUsage, model: 'judge-v1' }) },
        encode: async () => ({ mimeType: 'image/jpeg', data: Buffer.from('jpeg') }), leaseMs: 35_000, maxAttempts: 3,
      },
    });
    await assess(finalizedEvent({ name: 'runs/r1/c/p0004.png', contentType: 'image/png', generation }));
    expect(judgeCalls).toBe(0);
    expect(await judgeOf('p0004')).toMatchObject({ status: 'failed', reason: 'cancelled' });

    // Nothing owed, nothing unfinished: the run ends, and its export has a verdict or a reason for every image.
    const record = (await store.getRun('r1'))!;
    expect(await currentRunState(store, record)).toEqual({ state: 'completed', verdictsOwed: 0 });
    const entries = JSON.parse(imagePromptsJson((await store.listPrompts('r1')).map((prompt) => ({ ...prompt, issues: [], duplicateOf: null })))) as Array<{ judge: { status: string; failureReason?: string } | null }>;
    expect(entries.map((entry) => entry.judge?.status)).toEqual(['failed', 'judged', 'judged', 'failed']);
    expect(entries.map((entry) => entry.judge?.failureReason ?? null)).toEqual(['cancelled', null, null, 'cancelled']);
  });
});
