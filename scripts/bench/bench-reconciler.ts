/**
 * `npm run bench:reconciler [-- --runs 30 --prompts 100]`: what one reconciler tick reads and
 * writes on the Firestore emulator, with the production adapter and queries, for a cohort's
 * worth of runs in four situations. Reads and writes are counted on the wire (the gRPC meter of
 * scripts/bench/firestore-meter.ts) as Firestore bills them: a query costs one read per document
 * returned and at least one; a count, one per 1,000. The tick's own counters are printed beside
 * them. Re-assessment runs the assessor's real code (decode, metrics, preview, record) on real
 * PNGs; only the images live in memory instead of in a bucket, since the bill counted is Firestore's.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreLifecycleStore } from '../../functions/adapters/firestore-lifecycle.js';
import { FirestoreRunStore } from '../../functions/adapters/firestore-store.js';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { previewFromPixels } from '../../functions/adapters/thumbnail.js';
import { imageObjectName, newPromptRecord, type PromptRecord, type ReconcileSettings, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { makeReconcileHandler, reassessWith } from '../../functions/handlers/reconcile.js';
import { meteredFirestoreSettings, newMeter } from './firestore-meter.js';
import { printFigures } from './figures.js';
import { projectRoot } from '../lib/index.js';
import { freePort, httpOk, waitUntil, startProcess, stopOnSignals, type ManagedProcess } from '../stack/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, prompts: { type: 'string', default: '100' } } });
const runCount = Number(values.runs);
const promptCount = Number(values.prompts);
const MIN = 60_000;
const settings: ReconcileSettings = { intervalMs: MIN, staleMs: 10 * MIN, generateDeadlineMs: 90 * MIN, assessDeadlineMs: 30 * MIN };
const projectId = 'bench-reconciler';

/** Each situation: how old the runs are, and which state each prompt (by index) is in. */
const SITUATIONS: Array<{ name: string; ageMin: number; state: (index: number, now: number) => Partial<PromptRecord> }> = [
  {
    name: 'healthy, mid-run (2 min old: 60 % assessed, 10 % generating, 30 % queued)',
    ageMin: 2,
    state: (i, now) => (i < 60 ? { status: 'assessed' } : i < 70 ? { status: 'generating', attempts: 1, leaseOwner: 'w', leaseExpiresAt: now + MIN } : {}),
  },
  {
    name: 'stuck (20 min old: 60 % assessed, 5 % lease expired, 5 % image never assessed, 30 % message lost)',
    ageMin: 20,
    state: (i, now) =>
      i < 60 ? { status: 'assessed' }
      : i < 65 ? { status: 'generating', attempts: 1, leaseOwner: 'dead', leaseExpiresAt: now - 15 * MIN }
      : i < 70 ? { status: 'generated', generatedAt: new Date(now - 15 * MIN).toISOString() }
      : {},
  },
  { name: 'every prompt ended, runs not yet marked completed', ageMin: 20, state: () => ({ status: 'assessed' }) },
  { name: 'past the deadline (100 min old, as stuck)', ageMin: 100, state: (i, now) => (i < 60 ? { status: 'assessed' } : i < 65 ? { status: 'generating', attempts: 1, leaseExpiresAt: now - 15 * MIN } : {}) },
];

async function seed(db: Firestore, bucket: MemoryImageBucket, png: Buffer, now: number, situation: (typeof SITUATIONS)[number]): Promise<void> {
  const store = new FirestoreRunStore(db);
  const createdAt = new Date(now - situation.ageMin * MIN).toISOString();
  await Promise.all(
    Array.from({ length: runCount }, async (_, r) => {
      const runId = `bench-${r}`;
      const run: RunRecord = {
        runId, scenario: { name: 'bench', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: promptCount, seed: r,
        categories: ['c'], provider: 'embedded', model: 'm', createdAt, state: 'accepted', owner: 'instructor',
        image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: promptCount, usdPerImage: 0, usd: 0, basis: 'bench' },
      };
      const prompts = Array.from({ length: promptCount }, (_, i) => ({
        ...newPromptRecord(runId, { promptId: `p${String(i + 1).padStart(4, '0')}`, index: i + 1, category: 'c', prompt: `prompt ${i}`, variables: {}, seed: i }),
        ...situation.state(i, now),
      }));
      for (const prompt of prompts.filter((p) => p.status === 'generated')) {
        const stored = await bucket.writeIfAbsent(imageObjectName(runId, 'c', prompt.promptId), png, {});
        Object.assign(prompt, { objectName: stored.name, objectGeneration: stored.generation });
      }
      await store.createRun(run, prompts);
    }),
  );
}

let emulator: ManagedProcess | undefined;
stopOnSignals(async () => emulator?.stop());
try {
  const host = `127.0.0.1:${await freePort()}`;
  console.error('starting the Firestore emulator…');
  emulator = startProcess('firestore-emulator', 'gcloud', ['emulators', 'firestore', 'start', `--host-port=${host}`], {
    env: { CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
    logFile: join(projectRoot, '.stack-logs', 'bench-reconciler', 'firestore-emulator.log'),
  });
  await waitUntil('the Firestore emulator', () => httpOk(`http://${host}/`, 'Ok'), { timeoutMs: 120_000 });
  process.env.FIRESTORE_EMULATOR_HOST = host;
  const db = new Firestore({ projectId, ignoreUndefinedProperties: true });
  const meter = newMeter();
  const metered = new Firestore({ projectId, ignoreUndefinedProperties: true, ...meteredFirestoreSettings(meter) });
  const png = (await createEmbeddedProvider().generate({ category: 'protest_scenes', prompt: 'a harbour square at dusk', variables: {}, seed: 1 })).png;
  const silent = { info() {}, warn() {}, error() {} };
  const rows: Array<[string, string]> = [];
  const tickAt = async (now: number, bucket: MemoryImageBucket) => {
    const store = new FirestoreRunStore(metered);
    let published = 0;
    const assess = makeAssessHandler({ store, bucket, decode: decodeImage, preview: { encode: previewFromPixels, bucket: new MemoryImageBucket() }, log: silent });
    const tick = makeReconcileHandler({
      lifecycle: new FirestoreLifecycleStore(metered),
      store,
      publisher: { publish: async (messages) => ((published += messages.length), { failed: [] }) },
      participants: { releaseRun: async () => {} },
      reassess: reassessWith(assess, bucket, 'bench'),
      settings,
      log: silent,
      now: () => now,
    });
    const before = { reads: meter.reads, writes: meter.writes };
    const started = performance.now();
    const summary = await tick();
    const ms = Math.round(performance.now() - started);
    return { summary, published, ms, reads: meter.reads - before.reads, writes: meter.writes - before.writes };
  };
  for (const situation of SITUATIONS) {
    await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: 'DELETE' });
    const now = Date.now();
    const bucket = new MemoryImageBucket();
    await seed(db, bucket, png, now, situation);
    // The tick's clock is fixed so the situation stays as seeded; its wall time is measured here.
    const first = await tickAt(now, bucket);
    const { summary } = first;
    rows.push([situation.name, `${first.reads} reads, ${first.writes} writes on the wire (tick's counters: ${summary.reads} reads, ${summary.writes} writes), ${first.published} published, ${summary.reassessed} re-assessed, ${summary.failed} failed, ${summary.completedRuns} runs completed, ${first.ms} ms`]);
    const again = await tickAt(now + 1000, bucket);
    rows.push(['  the next tick, 1 s later', `${again.reads} reads, ${again.writes} writes on the wire (tick's counters: ${again.summary.reads} reads, ${again.summary.writes} writes), ${again.summary.failed} failed, ${again.summary.completedRuns} runs completed, ${again.ms} ms`]);
  }
  printFigures(`bench:reconciler, one tick over ${runCount} runs of ${promptCount} prompts (Firestore emulator)`, rows);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await emulator?.stop();
}
