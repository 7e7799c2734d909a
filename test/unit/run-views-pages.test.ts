import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { previewFromPixels } from '../../functions/adapters/thumbnail.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { imageObjectName, newPromptRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { finalizedEvent, silent } from '../support/kit.js';
import { INSTRUCTOR, participant, runRecord, scenario, useRunViews } from '../support/run-views-fixture.js';

describe('read routes: stored summaries, pages and the spot check', () => {
  const { memory, meter, bucket, previews, ada, grace, people, get, seedRun } = useRunViews('runViewsPagesTest');

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
