/**
 * The api's read routes on in-memory adapters behind functions-framework, for the run-views tests:
 * two participants, an instructor, image and preview buckets, a read-counting store, and seedRun,
 * which stores generated images and runs the real assessor on them (storing their previews).
 */
import type { Server } from 'node:http';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { MemoryLifecycleStore } from '../../functions/adapters/memory-lifecycle.js';
import { MemoryCohortLabels } from '../../functions/adapters/memory-cohort-labels.js';
import { MemoryDownloadTickets } from '../../functions/adapters/memory-download-tickets.js';
import { makeThumbnail, previewFromPixels } from '../../functions/adapters/thumbnail.js';
import type { Participant } from '../../functions/core/access/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import type { ParticipantStore } from '../../functions/core/ports.js';
import { imageObjectName, newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { hashToken, newToken } from '../../functions/core/access/index.js';
import { makeApiHandler, type ApiDependencies } from '../../functions/handlers/api.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { makeAuthorize } from '../../functions/handlers/auth.js';
import { MemorySignInFailures } from '../../functions/adapters/memory-sign-in-failures.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { countingStore } from './counting-store.js';
import { finalizedEvent, silent } from './kit.js';

export const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
export const INSTRUCTOR = 'i'.repeat(40);

/** Participants by token hash, enough for makeAuthorize and a purge (no quotas kept); revoking takes effect at once. */
function participantStore(list: Participant[]): ParticipantStore {
  return {
    findByTokenHash: async (hash: string) => structuredClone(list.find((p) => p.tokenHash === hash) ?? null),
    get: async (id: string) => structuredClone(list.find((p) => p.id === id) ?? null),
    releaseRun: async () => {},
  } as unknown as ParticipantStore;
}

export function participant(id: string): { record: Participant; token: string } {
  const token = newToken();
  return { token, record: { id, name: id, tokenHash: hashToken(token), revoked: false, imageQuota: 100, imagesUsed: 0, activeRuns: [], createdAt: '2026-01-01T00:00:00.000Z' } };
}

export function runRecord(runId: string, owner: string, createdAt = '2026-11-30T00:00:00.000Z'): RunRecord {
  return {
    runId, scenario, count: 4, seed: 1, categories: Object.keys(scenario.categories), provider: 'embedded', model: 'embedded-1', createdAt,
    state: 'accepted', owner, image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { currency: 'USD', perImage: 0, total: 0 },
  } as unknown as RunRecord;
}

/** Registers the server's hooks in the calling describe block and returns what its tests use; `name` is the function's, one per file. */
export function useRunViews(name: string) {
  const memory = new MemoryRunStore();
  const { store, meter } = countingStore(memory);
  const bucket = new MemoryImageBucket();
  const previews = new MemoryImageBucket();
  const ada = participant('u-ada');
  const grace = participant('u-grace');
  const people = [ada.record, grace.record];
  let thumbnailsMade = 0;
  let server: Server;
  let base: string;

  const deps: ApiDependencies = {
    store,
    lifecycle: new MemoryLifecycleStore(memory),
    bucket,
    previews,
    participants: participantStore(people),
    publisher: { publish: async () => ({ failed: [] }) },
    log: silent,
    authorize: makeAuthorize({ participants: participantStore(people), instructorToken: INSTRUCTOR, failures: new MemorySignInFailures() }),
    quotas: { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 },
    builtins: builtinScenarios,
    defaultScenario: DEFAULT_SCENARIO,
    provider: { name: 'embedded', model: 'embedded-1' },
    // The api's only decode: counted, so a test can say it never ran.
    thumbnail: (png) => ((thumbnailsMade += 1), makeThumbnail(png)),
    tickets: new MemoryDownloadTickets(),
    cohortLabels: new MemoryCohortLabels(),
    cursorKey: Buffer.from('unit-test cursor key'),
  };

  const get = (path: string, token: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });

  /** A run of `count` generated images; `assess` runs the assessor (which stores previews) on them. */
  async function seedRun(runId: string, owner: string, { count = 4, assess = true, createdAt }: { count?: number; assess?: boolean; createdAt?: string } = {}) {
    const planned = planPrompts(scenario, { count, seed: 3 });
    await memory.createRun({ ...runRecord(runId, owner, createdAt), count }, planned.map((p) => newPromptRecord(runId, p)));
    let decodes = 0;
    const assessor = makeAssessHandler({ store: memory, bucket, log: silent, decode: (bytes) => ((decodes += 1), decodeImage(bytes)), preview: { encode: previewFromPixels, bucket: previews } });
    for (const [i, prompt] of planned.entries()) {
      const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } } }).png().toBuffer();
      const name = imageObjectName(runId, prompt.category, prompt.promptId);
      const { generation } = await bucket.writeIfAbsent(name, png, {});
      await memory.markGenerated(runId, prompt.promptId, { objectName: name, objectGeneration: generation, model: 'embedded-1', renderMs: 1, now: Date.now() });
      if (assess) await assessor(finalizedEvent({ name, contentType: 'image/png', generation }, `${runId}-${i}`));
    }
    return { planned, decodes };
  }

  beforeAll(async () => {
    const handler = makeApiHandler(deps);
    functions.http(name, (req, res) => handler(req, res));
    server = getTestServer(name);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    thumbnailsMade = 0;
    meter.reset();
  });

  return { memory, meter, bucket, previews, ada, grace, people, get, seedRun, thumbnailsMade: () => thumbnailsMade, base: () => base };
}
