import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { describe, expect, inject, it } from 'vitest';
import { FirestoreRateLimiter } from '../../functions/adapters/firestore-rate-limiter.js';
import { FirestoreRunStore } from '../../functions/adapters/firestore-store.js';
import { GcsImageBucket } from '../../functions/adapters/storage-bucket.js';
import { faultTable, type FaultKind } from '../support/fault-injection.js';
import { generatorScenario, judgeScenario, judgeUsage, type Backend } from '../support/paid-call-scenarios.js';

/**
 * Issue 22 on the emulators: the fault table of test/unit/paid-call-faults.test.ts, with the
 * Firestore store and limiter adapters on the Firestore emulator and the Cloud Storage adapter on
 * fake-gcs-server. Only the call sites whose fault would be an emulator's (store, limiter, bucket)
 * are put through it here, and only the kinds below; the in-memory test keeps the full table.
 */
const KINDS_ON_EMULATORS: readonly FaultKind[] = ['fail once', 'fail until the lease expires', 'delay past the lease', 'kill before it', 'kill after it'];
const EMULATED_PORTS = ['store', 'limiter', 'bucket'];

// A project and a bucket of their own: the shared stack's reconciler and assessor never see these runs.
const PROJECT = 'paid-call-faults';
const BUCKET = 'paid-call-faults';
const stack = inject('stack');
Object.assign(process.env, stack.clientEnv);
const firestore = new Firestore({ projectId: PROJECT, ignoreUndefinedProperties: true });
const storage = new Storage({ projectId: PROJECT, apiEndpoint: stack.clientEnv.STORAGE_API_ENDPOINT });

const emulators = (): Backend => {
  const runId = `faults-${randomUUID().slice(0, 8)}`;
  return { store: new FirestoreRunStore(firestore), bucket: new GcsImageBucket(storage.bucket(BUCKET)), rateLimiter: new FirestoreRateLimiter(firestore, runId, 6000), runId };
};

await storage.createBucket(BUCKET).catch((error: { code?: number }) => {
  if (error.code !== 409) throw error;
});

// The clean runs on the emulators count the call sites; the table is built from that count.
const cleanGeneration = await generatorScenario(null, emulators());
const cleanJudging = await judgeScenario(null, emulators());
const onEmulators = (calls: Parameters<typeof faultTable>[0]) =>
  faultTable(calls).filter((spec) => EMULATED_PORTS.includes(spec.site.split('.')[0] as string) && KINDS_ON_EMULATORS.includes(spec.kind));

describe('the generator on the emulators under one fault at each store, limiter and bucket call', () => {
  it('a clean run pays once and stores the image', () => {
    expect(cleanGeneration).toMatchObject({ paid: 1, stored: true, prompt: { status: 'generated', modelCallAt: null } });
  });

  it.each(onEmulators(cleanGeneration.calls))('call $at ($site), $kind', async (spec) => {
    const backend = emulators();
    const outcome = await generatorScenario(spec, backend);
    expect(outcome.fired).not.toBeNull();
    expect(outcome.paid).toBeLessThanOrEqual(1);
    expect(['generated', 'failed']).toContain(outcome.prompt.status);
    expect(outcome.stored).toBe(outcome.prompt.status === 'generated');
    if (outcome.prompt.status === 'failed') expect(outcome.prompt.failureReason).toMatch(/^(unknown_outcome|storage_error): /);
    if (spec.kind === 'fail once') expect(outcome).toMatchObject({ paid: 1, prompt: { status: 'generated' } });
    // Nothing counted twice: the run's one prompt is counted once, in its final state.
    const counts = await backend.store.countByStatus(backend.runId);
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(counts[outcome.prompt.status]).toBe(1);
  });
});

describe('the judge on the emulators under one fault at each store, limiter and bucket call of the assessor', () => {
  it('a clean run pays once and records the verdict', () => {
    expect(cleanJudging).toMatchObject({ paid: 1, prompt: { status: 'assessed', judge: { status: 'judged', callAt: null } }, recordedUsage: judgeUsage });
  });

  it.each(onEmulators(cleanJudging.calls))('call $at ($site), $kind', async (spec) => {
    const backend = emulators();
    const outcome = await judgeScenario(spec, backend);
    expect(outcome.fired).not.toBeNull();
    expect(outcome.paid).toBeLessThanOrEqual(1);
    expect(outcome.prompt.status).toBe('assessed');
    expect(['judged', 'failed']).toContain(outcome.prompt.judge?.status);
    if (outcome.prompt.judge?.status === 'failed') expect(outcome.prompt.judge.reason).toMatch(/^unknown_outcome: /);
    if (spec.kind === 'fail once') expect(outcome).toMatchObject({ paid: 1, prompt: { judge: { status: 'judged' } } });
    // The verdict's cost is that of one call, and the run owes none: nothing counted twice, nothing left open.
    expect(outcome.recordedUsage).toEqual(outcome.prompt.judge?.status === 'judged' ? judgeUsage : null);
    expect(await backend.store.countVerdictsOwed(backend.runId)).toBe(0);
    expect((await backend.store.qualitySummary(backend.runId)).assessed).toBe(1);
  });
});
