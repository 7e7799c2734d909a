import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryLifecycleStore } from '../../functions/adapters/memory-lifecycle.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { GenerationMessage } from '../../functions/core/ports.js';
import { decideOrphanRelease, decideReconcile, formatSpan, staleCutoffs, type ReconcileSettings } from '../../functions/core/runs/index.js';
import { newPromptRecord, type PromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { makeReconcileHandler, reassessWith } from '../../functions/handlers/reconcile.js';
import { silent } from '../support/kit.js';

const MIN = 60_000;
const settings: ReconcileSettings = { intervalMs: MIN, staleMs: 10 * MIN, generateDeadlineMs: 90 * MIN, assessDeadlineMs: 30 * MIN };
const T0 = Date.parse('2026-11-30T10:00:00.000Z');

const run = (runId: string, owner = 'u-1'): RunRecord => ({
  runId, scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 1, seed: 1,
  categories: ['c'], provider: 'embedded', model: 'm', createdAt: new Date(T0).toISOString(), state: 'accepted', owner,
  image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usdPerImage: 0, usd: 0, basis: 'test' },
});

const prompt = (index: number, changes: Partial<PromptRecord> = {}, runId = 'r1'): PromptRecord => ({
  ...newPromptRecord(runId, { promptId: `p${String(index).padStart(4, '0')}`, index, category: 'c', prompt: `prompt ${index}`, variables: {}, seed: index }),
  queuedAt: T0,
  ...changes,
});

describe('decideReconcile', () => {
  const at = (minutes: number) => T0 + minutes * MIN;
  it.each([
    { name: 'planned, young', prompt: prompt(1), now: at(5), kind: 'none' },
    { name: 'planned, stale', prompt: prompt(1), now: at(11), kind: 'requeue' },
    { name: 'planned, queued again recently', prompt: prompt(1, { queuedAt: at(15) }), now: at(20), kind: 'none' },
    { name: 'planned past the deadline', prompt: prompt(1), now: at(91), kind: 'fail', reason: 'lost: not generated within 90 min (never claimed)' },
    { name: 'generating, lease held', prompt: prompt(1, { status: 'generating', leaseExpiresAt: at(30) }), now: at(25), kind: 'none' },
    { name: 'generating, lease only just expired', prompt: prompt(1, { status: 'generating', leaseExpiresAt: at(20) }), now: at(25), kind: 'none' },
    { name: 'generating, lease long expired', prompt: prompt(1, { status: 'generating', attempts: 1, leaseExpiresAt: at(12) }), now: at(25), kind: 'requeue' },
    { name: 'generating past the deadline', prompt: prompt(1, { status: 'generating', attempts: 2, leaseExpiresAt: at(12) }), now: at(95), kind: 'fail', reason: 'lost: not generated within 90 min (lease expired after 2 attempts)' },
    { name: 'generated recently', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(20)).toISOString() }), now: at(25), kind: 'none' },
    { name: 'generated, never assessed', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(20)).toISOString() }), now: at(31), kind: 'reassess' },
    { name: 'generated, assessed again recently', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(20)).toISOString(), queuedAt: at(31) }), now: at(35), kind: 'none' },
    { name: 'generated past the deadline', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(20)).toISOString() }), now: at(51), kind: 'fail', reason: 'lost: not assessed within 30 min' },
    { name: 'already assessed', prompt: prompt(1, { status: 'assessed' }), now: at(200), kind: 'none' },
  ])('$name → $kind', ({ prompt: stuck, now, kind, reason }) => {
    const action = decideReconcile(stuck, run('r1'), now, settings);
    expect(action.kind).toBe(kind);
    if (reason) expect(action).toMatchObject({ reason });
  });

  // The local stack restarted at minute 20 on saved data: what was queued or stored before it is orphaned at once.
  const restarted: ReconcileSettings = { ...settings, restartedAt: at(20), leaseMs: 2 * MIN };
  it.each([
    { name: 'planned before the restart', prompt: prompt(1, { queuedAt: at(19) }), now: at(21), kind: 'requeue' },
    { name: 'planned after the restart', prompt: prompt(1, { queuedAt: at(20.5) }), now: at(21), kind: 'none' },
    { name: 'generating, lease from before the restart still running', prompt: prompt(1, { status: 'generating', queuedAt: at(19), leaseExpiresAt: at(21) }), now: at(20.5), kind: 'requeue', release: true },
    { name: 'generating, queued again after the restart', prompt: prompt(1, { status: 'generating', queuedAt: at(20.5), leaseExpiresAt: at(22.5) }), now: at(21), kind: 'none' },
    { name: 'generated before the restart', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(19)).toISOString() }), now: at(20.5), kind: 'reassess' },
    { name: 'generated before, assessed again after the restart', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(19)).toISOString(), queuedAt: at(20.5) }), now: at(21), kind: 'none' },
    { name: 'generated after the restart', prompt: prompt(1, { status: 'generated', generatedAt: new Date(at(20.5)).toISOString() }), now: at(21), kind: 'none' },
  ])('after a restart: $name → $kind', ({ prompt: stuck, now, kind, release }) => {
    const action = decideReconcile(stuck, run('r1'), now, restarted);
    expect(action.kind).toBe(kind);
    // The dead worker's lease is freed before the message goes out, else the message would wait it out.
    expect(action.kind === 'requeue' && action.release !== undefined).toBe(release === true);
  });

  it('frees an orphaned lease only while the prompt is as the reconciler saw it', () => {
    const held = prompt(1, { status: 'generating', leaseOwner: 'w-dead', leaseExpiresAt: at(21) });
    expect(decideOrphanRelease(held, { status: 'generating', leaseExpiresAt: at(21) })).toEqual({ leaseOwner: null, leaseExpiresAt: null });
    expect(decideOrphanRelease({ ...held, leaseExpiresAt: at(23) }, { status: 'generating', leaseExpiresAt: at(21) })).toBeNull();
    expect(decideOrphanRelease({ ...held, status: 'generated' }, { status: 'generating', leaseExpiresAt: at(21) })).toBeNull();
  });

  it('widens the stale query to everything from before the restart, leases by their length', () => {
    expect(staleCutoffs(at(21), restarted)).toEqual({ queuedBefore: at(20), leaseExpiredBefore: at(22), generatedBefore: new Date(at(20)).toISOString() });
    expect(staleCutoffs(at(40), restarted).queuedBefore).toBe(at(30));
  });

  it('leaves a prompt whose run is gone alone', () => {
    expect(decideReconcile(prompt(1), null, T0 + 100 * MIN, settings)).toMatchObject({ kind: 'none', why: 'run no longer exists' });
  });

  it.each([[45_000, '45 s'], [30 * MIN, '30 min'], [90 * MIN, '90 min'], [240 * MIN, '4 h']])('formats %i ms as %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});

describe('a reconcile tick on the in-memory stores', () => {
  let store: MemoryRunStore;
  let lifecycle: MemoryLifecycleStore;
  let bucket: MemoryImageBucket;
  let published: GenerationMessage[];
  let released: Array<[string, string, { refundImages: number; finished: boolean }]>;
  let clock: number;

  const tick = () =>
    makeReconcileHandler({
      lifecycle,
      store,
      publisher: { publish: async (messages) => ((published = [...published, ...messages]), { failed: [] }) },
      participants: { releaseRun: async (...args) => void released.push(args) },
      reassess: reassessWith(makeAssessHandler({ store, bucket, decode: async () => ({ data: new Uint8Array(3 * 64).fill(128), width: 8, height: 8, channels: 3 }), log: silent }), bucket, 'b'),
      settings,
      log: silent,
      now: () => clock,
    })();

  beforeEach(async () => {
    store = new MemoryRunStore();
    lifecycle = new MemoryLifecycleStore(store);
    bucket = new MemoryImageBucket();
    published = [];
    released = [];
    clock = T0 + 12 * MIN;
    const object = await bucket.writeIfAbsent('runs/r1/c/p0003.png', Buffer.from('png'), {});
    await store.createRun(run('r1'), [
      prompt(1),
      prompt(2, { status: 'generating', attempts: 1, leaseOwner: 'dead', leaseExpiresAt: T0 + MIN }),
      prompt(3, { status: 'generated', objectName: 'runs/r1/c/p0003.png', objectGeneration: object.generation, generatedAt: new Date(T0).toISOString() }),
      prompt(4, { status: 'assessed' }),
    ]);
  });

  it('re-queues the lost messages, assesses the lost image, and a repeat tick does nothing twice', async () => {
    const first = await tick();
    expect(published).toEqual([{ runId: 'r1', promptId: 'p0001' }, { runId: 'r1', promptId: 'p0002' }]);
    expect(first).toMatchObject({ openRuns: 1, stalePrompts: 3, requeued: 2, reassessed: 1, failed: 0, completedRuns: 0 });
    expect((await store.getPrompt('r1', 'p0003'))?.status).toBe('assessed');

    clock += MIN;
    // The expired lease is read again, but it was queued a minute ago: nothing is published.
    expect(await tick()).toMatchObject({ stalePrompts: 1, requeued: 0, reassessed: 0 });
    expect(published).toHaveLength(2);
  });

  it('past the deadline fails what is still stuck, with the stage and the time lost, then completes the run and frees its slot', async () => {
    clock = T0 + 91 * MIN;
    expect(await tick()).toMatchObject({ failed: 3, completedRuns: 1 });
    const prompts = await store.listPrompts('r1');
    expect(prompts.map((entry) => [entry.status, entry.failureReason])).toEqual([
      ['failed', 'lost: not generated within 90 min (never claimed)'],
      ['failed', 'lost: not generated within 90 min (lease expired after 1 attempt)'],
      ['failed', 'lost: not assessed within 30 min'],
      ['assessed', null],
    ]);
    expect((await store.getRun('r1'))?.completedAt).toBe(new Date(clock).toISOString());
    expect(released).toEqual([['u-1', 'r1', { refundImages: 0, finished: true }]]);
    expect(await tick()).toMatchObject({ openRuns: 0, stalePrompts: 0, completedRuns: 0 });
  });

  it('does not fail a prompt a worker claimed after the reconciler looked', async () => {
    clock = T0 + 91 * MIN;
    const [stale] = await lifecycle.findStalePrompts({ queuedBefore: clock - settings.staleMs, leaseExpiredBefore: 0, generatedBefore: '' }, 10);
    await store.claimPrompt('r1', 'p0001', { owner: 'w', now: clock, leaseMs: MIN });
    expect(await lifecycle.markLost('r1', 'p0001', { status: stale!.status, leaseExpiresAt: stale!.leaseExpiresAt }, 'lost')).toBe(false);
    expect((await store.getPrompt('r1', 'p0001'))?.status).toBe('generating');
  });
});
