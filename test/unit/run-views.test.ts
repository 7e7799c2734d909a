import type { Server } from 'node:http';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import { previewObjectName } from '../../functions/core/objects/index.js';
import { imageObjectName, newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { hashToken, newToken } from '../../functions/core/access/index.js';
import { makeApiHandler, type ApiDependencies } from '../../functions/handlers/api.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { makeAuthorize } from '../../functions/handlers/auth.js';
import { MemorySignInFailures } from '../../functions/adapters/memory-sign-in-failures.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { countingStore } from '../support/counting-store.js';
import { finalizedEvent, silent } from '../support/kit.js';

const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
const INSTRUCTOR = 'i'.repeat(40);

/** Participants by token hash, enough for makeAuthorize and a purge (no quotas kept); revoking takes effect at once. */
function participantStore(list: Participant[]): ParticipantStore {
  return {
    findByTokenHash: async (hash: string) => structuredClone(list.find((p) => p.tokenHash === hash) ?? null),
    get: async (id: string) => structuredClone(list.find((p) => p.id === id) ?? null),
    releaseRun: async () => {},
  } as unknown as ParticipantStore;
}

function participant(id: string): { record: Participant; token: string } {
  const token = newToken();
  return { token, record: { id, name: id, tokenHash: hashToken(token), revoked: false, imageQuota: 100, imagesUsed: 0, activeRuns: [], createdAt: '2026-01-01T00:00:00.000Z' } };
}

function runRecord(runId: string, owner: string, createdAt = '2026-11-30T00:00:00.000Z'): RunRecord {
  return {
    runId, scenario, count: 4, seed: 1, categories: Object.keys(scenario.categories), provider: 'embedded', model: 'embedded-1', createdAt,
    state: 'accepted', owner, image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { currency: 'USD', perImage: 0, total: 0 },
  } as unknown as RunRecord;
}

describe('read routes: previews, stored summaries, pages and ETags', () => {
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
    functions.http('runViewsTest', (req, res) => handler(req, res));
    server = getTestServer('runViewsTest');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    thumbnailsMade = 0;
    meter.reset();
  });

  it('serves the preview the assessor stored from its one decode, with no decode in the api', async () => {
    const { planned, decodes } = await seedRun('run-new', ada.record.id);
    expect(decodes).toBe(planned.length); // one decode per image, previews included
    expect([previews.derivedWrites, bucket.derivedWrites]).toEqual([planned.length, 0]);
    const writesBefore = previews.derivedWrites;
    for (const prompt of planned) {
      const answer = await get(`/v1/runs/run-new/images/${prompt.promptId}?size=thumb`, ada.token);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(Buffer.from(await answer.arrayBuffer())).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    }
    expect(thumbnailsMade).toBe(0);
    expect(previews.derivedWrites).toBe(writesBefore);
  });

  it('makes a preview once for an image stored before previews existed, then serves it from storage', async () => {
    const { planned } = await seedRun('run-old', ada.record.id, { count: 1, assess: false });
    const promptId = planned[0]!.promptId;
    const name = previewObjectName(imageObjectName('run-old', planned[0]!.category, promptId));
    expect(previews.objects.has(name)).toBe(false);
    const first = await get(`/v1/runs/run-old/images/${promptId}?size=thumb`, ada.token);
    const second = await get(`/v1/runs/run-old/images/${promptId}?size=thumb`, ada.token);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(Buffer.from(await second.arrayBuffer())).toEqual(Buffer.from(await first.arrayBuffer()));
    expect(thumbnailsMade).toBe(1);
    expect(previews.objects.get(name)?.contentType).toBe('image/jpeg');
    expect(await sharp(previews.objects.get(name)!.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    expect(bucket.objects.has(name)).toBe(false);
  });

  it('answers a JPEG for an image whose only preview is a WebP stored before previews were JPEG, stores it once, and a purge deletes both', async () => {
    const owner = participant('u-old-webp');
    people.push(owner.record);
    const { planned } = await seedRun('run-old-webp', owner.record.id, { count: 1, assess: false });
    const imageName = imageObjectName('run-old-webp', planned[0]!.category, planned[0]!.promptId);
    const oldName = imageName.replace(/\.png$/, '.preview.webp');
    const webp = await sharp((await bucket.read(imageName))!).resize(256).webp().toBuffer();
    await previews.writeDerivedIfAbsent(oldName, webp, 'image/webp');
    const generation = bucket.objects.get(imageName)!.generation;
    const path = `/v1/runs/run-old-webp/images/${planned[0]!.promptId}?size=thumb`;
    // A browser revalidating its WebP under the old ETag gets the JPEG, not a 304.
    const first = await get(path, owner.token, { 'If-None-Match': `"${generation}-webp256"` });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(first.headers.get('etag')).toBe(`"${generation}-jpeg256"`);
    expect(await sharp(Buffer.from(await first.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    expect((await get(path, owner.token)).status).toBe(200);
    expect(thumbnailsMade).toBe(1);
    expect(previews.objects.get(previewObjectName(imageName))?.contentType).toBe('image/jpeg');
    expect(previews.objects.get(oldName)?.bytes).toEqual(webp);
    expect((await fetch(`${base}/v1/participants/${owner.record.id}/runs`, { method: 'DELETE', headers: { Authorization: `Bearer ${INSTRUCTOR}` } })).status).toBe(200);
    expect([...previews.objects.keys()].filter((name) => name.startsWith('runs/run-old-webp/'))).toEqual([]);
  });

  it.each([
    { size: 'full', type: 'image/png' },
    { size: 'thumb', type: 'image/jpeg' },
  ])('answers If-None-Match with the current ETag ($size) with a 304, and a stale one with the image', async ({ size, type }) => {
    const { planned } = await seedRun(`run-etag-${size}`, ada.record.id, { count: 1 });
    const path = `/v1/runs/run-etag-${size}/images/${planned[0]!.promptId}?size=${size}`;
    const first = await get(path, ada.token);
    const etag = first.headers.get('etag') as string;
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(type);
    expect(etag).toMatch(size === 'thumb' ? /^"\d+-jpeg256"$/ : /^"\d+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toContain('Authorization');
    const revalidated = await get(path, ada.token, { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    expect((await revalidated.arrayBuffer()).byteLength).toBe(0);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect((await get(path, ada.token, { 'If-None-Match': '"1"' })).status).toBe(200);
  });

  it('answers 401 to a revoked token, never a 304 or a cached 200, and 404 to another participant', async () => {
    const { planned } = await seedRun('run-revoke', grace.record.id, { count: 1 });
    const path = `/v1/runs/run-revoke/images/${planned[0]!.promptId}?size=thumb`;
    const first = await get(path, grace.token);
    const etag = first.headers.get('etag') as string;
    expect(first.status).toBe(200);
    expect((await get(path, ada.token, { 'If-None-Match': etag })).status).toBe(404);
    grace.record.revoked = true;
    try {
      const after = await get(path, grace.token, { 'If-None-Match': etag });
      expect(after.status).toBe(401);
      expect(after.headers.get('content-type')).toContain('application/json');
    } finally {
      grace.record.revoked = false;
    }
  });

  it('stores a completed run status once; later reads cost one document read', async () => {
    await seedRun('run-done', ada.record.id);
    const first = await (await get('/v1/runs/run-done', ada.token)).json();
    expect(first).toMatchObject({ state: 'completed', planned: 4, counts: { assessed: 4 } });
    expect(meter.calls).toContain('listPrompts'); // built once, when first seen completed
    meter.reset();
    const again = await (await get('/v1/runs/run-done', ada.token)).json();
    expect(meter.calls).toEqual(['getRun']);
    expect(meter.reads).toBe(1);
    expect(again).toEqual(first);
    expect(again.report.images).toBe(4);
    meter.reset();
    const prompts = (await (await get('/v1/runs/run-done/prompts', ada.token)).json()).prompts as Array<{ promptId: string }>;
    meter.reset();
    expect((await get(`/v1/runs/run-done/images/${prompts[0]!.promptId}?size=thumb`, ada.token)).status).toBe(200);
    expect(meter.calls).toEqual(['getRun']); // where the image is comes from the stored summary
  });

  it('rebuilds a stored summary when a prompt given up as failed gets its image after all', async () => {
    const planned = planPrompts(scenario, { count: 2, seed: 8 });
    await memory.createRun({ ...runRecord('run-late', ada.record.id), count: 2 }, planned.map((p) => newPromptRecord('run-late', p)));
    const assessor = makeAssessHandler({ store: memory, bucket, log: silent, decode: decodeImage, preview: { encode: previewFromPixels, bucket: previews } });
    const images = await Promise.all(planned.map(async (prompt, i) => {
      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 90 * i, g: 20, b: 200 } } }).png().toBuffer();
      const name = imageObjectName('run-late', prompt.category, prompt.promptId);
      return { name, generation: (await bucket.writeIfAbsent(name, png, {})).generation };
    }));
    const finalized = (i: number) => finalizedEvent({ name: images[i]!.name, contentType: 'image/png', generation: images[i]!.generation }, `late-${i}`);
    await assessor(finalized(0));
    await memory.markFailed('run-late', planned[1]!.promptId, 'lease expired');
    expect(await (await get('/v1/runs/run-late', ada.token)).json()).toMatchObject({ state: 'completed', counts: { assessed: 1, failed: 1 } });
    await assessor(finalized(1)); // the late event for the prompt marked failed
    expect(await (await get('/v1/runs/run-late', ada.token)).json()).toMatchObject({ state: 'completed', counts: { assessed: 2, failed: 0 } });
  });

  it('costs a bounded number of reads per poll of a running run: aggregations, no prompt scan', async () => {
    const planned = planPrompts(scenario, { count: 40, seed: 5 });
    await memory.createRun({ ...runRecord('run-busy', ada.record.id), count: 40 }, planned.map((p) => newPromptRecord('run-busy', p)));
    for (const prompt of planned.slice(0, 30)) await memory.markFailed('run-busy', prompt.promptId, 'api_error:400');
    const status = await (await get('/v1/runs/run-busy', ada.token)).json();
    expect(status).toMatchObject({ state: 'running', counts: { failed: 30, planned: 10 } });
    expect(status.failures).toHaveLength(10);
    expect(meter.calls.sort()).toEqual(['countByStatus', 'getRun', 'listFailures', 'qualitySummary']);
    expect(meter.reads).toBe(1 + 5 + 10 + 1);
  });

  it('lists prompts a page at a time, with the run on the first page only, and flags from the stored summary', async () => {
    await seedRun('run-pages', ada.record.id, { count: 7 });
    await get('/v1/runs/run-pages', ada.token); // completes and stores the summary
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page = await (await get(`/v1/runs/run-pages/prompts?pageSize=3${token ? `&pageToken=${token}` : ''}`, ada.token)).json();
      expect(page.prompts.length).toBeLessThanOrEqual(3);
      expect('run' in page).toBe(pages === 0);
      if (pages === 0) expect(page.run.summary).toBeUndefined();
      seen.push(...page.prompts.map((p: { promptId: string }) => p.promptId));
      for (const prompt of page.prompts) expect(prompt.issues).toEqual(expect.any(Array));
      token = page.nextPageToken;
      pages += 1;
    } while (token);
    expect(seen).toEqual(planPrompts(scenario, { count: 7, seed: 3 }).map((p) => p.promptId));
    expect(pages).toBe(3);
  });

  it('walks the runs by cursor, visiting every run exactly once while new ones are inserted', async () => {
    const owner = 'u-walker';
    const existing: string[] = [];
    for (let i = 0; i < 23; i++) {
      const runId = `walk-${String(i).padStart(2, '0')}`;
      // Several runs share a creation time: the id breaks the tie.
      await memory.createRun({ ...runRecord(runId, owner, `2026-11-30T00:00:${String(Math.floor(i / 3)).padStart(2, '0')}.000Z`) }, []);
      existing.push(runId);
    }
    const walker = participant(owner);
    people.push(walker.record);
    const seen: string[] = [];
    let token: string | null = null;
    let inserted = 0;
    do {
      const page = await (await get(`/v1/runs?pageSize=4${token ? `&pageToken=${token}` : ''}`, walker.token)).json();
      seen.push(...page.runs.map((run: { runId: string }) => run.runId));
      for (const run of page.runs) expect(Object.keys(run).sort()).toEqual(['createdAt', 'owner', 'ownerName', 'planned', 'runId', 'scenario']);
      // Concurrent inserts: one newer than everything, one tied with the page's last run.
      const last = page.runs.at(-1);
      await memory.createRun(runRecord(`new-${inserted++}`, owner, '2026-12-01T00:00:00.000Z'), []);
      if (last) await memory.createRun(runRecord(`${last.runId}-tie`, owner, last.createdAt), []);
      token = page.nextPageToken;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    for (const runId of existing) expect(seen.filter((id) => id === runId)).toHaveLength(1);
  });

  it.each([
    { query: 'pageSize=0', status: 400 },
    { query: 'pageSize=abc', status: 400 },
    { query: 'pageToken=not*base64', status: 400 },
    { query: `pageToken=${Buffer.from('{"x":1}').toString('base64url')}`, status: 400 },
    { query: 'pageSize=100000', status: 200 },
  ])('answers $status to /v1/runs?$query', async ({ query, status }) => {
    expect((await get(`/v1/runs?${query}`, INSTRUCTOR)).status).toBe(status);
  });
  it('answers the same stratified spot-check sample for a seed, and the share of it rejected with its Wilson interval', async () => {
    const { planned } = await seedRun('run-spot', ada.record.id, { count: 24, assess: false });
    const spotCheck = async (query = '') => (await get(`/v1/runs/run-spot/spot-check${query}`, ada.token)).json() as Promise<{ seed: number; promptIds: string[]; reviewed: number; rejected: number; defectRate: { estimate: number; low: number; high: number } | null }>;
    const first = await spotCheck();
    expect(first.seed).toBe(1);
    expect(first.promptIds).toHaveLength(12);
    expect(await spotCheck()).toEqual(first);
    expect((await spotCheck('?seed=1')).promptIds).toEqual(first.promptIds);
    expect((await spotCheck('?seed=2')).promptIds).not.toEqual(first.promptIds);
    const categoryOf = new Map(planned.map((p) => [p.promptId, p.category]));
    expect(new Set(first.promptIds.map((id) => categoryOf.get(id)))).toEqual(new Set(planned.map((p) => p.category)));
    expect(first.defectRate).toBeNull();

    // 3 of the sample rejected (rated 1, rated 2, inappropriate), 9 accepted; an image outside the sample counts for nothing.
    const review = (relevance: number, inappropriate = false) => ({ relevance, inappropriate, note: '', reviewedBy: 'Ada', reviewedAt: '' });
    for (const [i, id] of first.promptIds.entries()) await memory.setReview('run-spot', id, i === 0 ? review(1) : i === 1 ? review(2) : i === 2 ? review(4, true) : review(4));
    await memory.setReview('run-spot', planned.find((p) => !first.promptIds.includes(p.promptId))!.promptId, review(1));
    const reviewed = await spotCheck();
    expect(reviewed).toMatchObject({ reviewed: 12, rejected: 3 });
    expect(reviewed.defectRate!.estimate).toBe(0.25);
    expect(reviewed.defectRate!.low).toBeCloseTo(0.0889, 4);
    expect(reviewed.defectRate!.high).toBeCloseTo(0.5323, 4);

    expect((await get('/v1/runs/run-spot/spot-check?seed=-1', ada.token)).status).toBe(400);
    expect((await get('/v1/runs/run-spot/spot-check', grace.token)).status).toBe(404);
  });
});
