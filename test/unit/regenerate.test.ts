/** POST /v1/runs/{runId}:regenerate and its preview on the in-memory stores: what is booked and written, and each refusal. */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryParticipantStore } from '../../functions/adapters/memory-participants.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ApiDependencies } from '../../functions/handlers/api.js';
import type { HttpError } from '../../functions/handlers/http.js';
import { regenerateRoutes } from '../../functions/handlers/regenerate-routes.js';
import { recordRun, validateRunRequest } from '../../functions/handlers/run-create.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const quotas = { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 };
const ada = { id: 'u-1', name: 'Ada', role: 'participant' as const };
const bob = { id: 'u-2', name: 'Bob', role: 'participant' as const };
type Principal = typeof ada;

let store: MemoryRunStore;
let participants: MemoryParticipantStore;
let deps: ApiDependencies;
let published: string[];
let ids: number;

beforeEach(async () => {
  store = new MemoryRunStore();
  participants = new MemoryParticipantStore(quotas);
  published = [];
  ids = 0;
  const participant = (id: string, name: string) => ({ id, name, tokenHash: id, revoked: false, imageQuota: 30, imagesUsed: 0, activeRuns: [], createdAt: '' });
  await participants.create([participant('u-1', 'Ada'), participant('u-2', 'Bob')]);
  deps = {
    store, participants, quotas, builtins: builtinScenarios, defaultScenario: DEFAULT_SCENARIO, provider: { name: 'embedded', model: 'm' },
    publisher: { publish: async (messages: Array<{ promptId: string }>) => (published.push(...messages.map((m) => m.promptId)), { failed: [] }) },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    newRunId: () => `rev-${++ids}`, now: () => 1_000_000,
  } as unknown as ApiDependencies;
});

/** A finished 20-image run of Ada's (20 of her 30 images): every image assessed, three rated as rejected. */
async function finishedRun(runId = 'root'): Promise<void> {
  await recordRun(deps, ada, validateRunRequest(deps, { count: 20, seed: 3 }), runId, async () => true);
  await participants.releaseRun('u-1', runId, { refundImages: 0, finished: true });
  for (const prompt of await store.listPrompts(runId)) finish(runId, prompt.promptId);
  for (const [id, relevance] of [['p0004', 1], ['p0009', 2], ['p0015', 5]] as const) {
    await store.setReview(runId, id, { relevance, inappropriate: id === 'p0015', note: '', reviewedBy: 'Ada', reviewedAt: '' });
  }
}

function finish(runId: string, promptId: string): void {
  const prompt = store.prompts.get(`${runId}/${promptId}`);
  if (prompt) Object.assign(prompt, { status: 'assessed', objectName: `runs/${runId}/${prompt.category}/${promptId}.png`, objectGeneration: '1' });
}

async function call(path: string, body: unknown, principal: Principal = ada): Promise<{ status: number; body: Record<string, unknown> }> {
  const route = regenerateRoutes(deps).find((r) => r.method === 'POST' && r.pattern.test(path));
  if (!route) throw new Error(`no route for ${path}`);
  let answer = { status: 0, body: {} as Record<string, unknown> };
  const res = { status: (code: number) => ((answer.status = code), res), set: () => res, json: (json: Record<string, unknown>) => ((answer.body = json), res), send: () => res };
  const req = { body, rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' }, is: () => true, get: () => undefined };
  const params = (route.pattern.exec(path) ?? []).slice(1) as string[];
  await route.handle({ req, res, params, principal } as never).catch((error: HttpError) => (answer = { status: error.status, body: { message: error.message, fields: error.fields } }));
  return answer;
}

const used = async (id = 'u-1') => (await participants.get(id))?.imagesUsed;

describe('regenerating the rejected images of a 20-image run', () => {
  it('makes a revision of exactly those slots, with the same values, charging three images', async () => {
    await finishedRun();
    const answer = await call('/v1/runs/root:regenerate', { select: 'rejected', note: 'placards unreadable' });
    expect(answer).toMatchObject({ status: 202, body: { runId: 'rev-1', rootRunId: 'root', parentRunId: 'root', revision: 1, planned: 3 } });
    expect(await used()).toBe(20 + 3);
    const originals = new Map((await store.listPrompts('root')).map((p) => [p.promptId, p]));
    const revision = await store.listPrompts('rev-1');
    expect(revision.map((p) => p.promptId)).toEqual(['p0004', 'p0009', 'p0015']);
    for (const prompt of revision) {
      const original = originals.get(prompt.promptId);
      expect([prompt.category, prompt.variables, prompt.prompt, prompt.index]).toEqual([original?.category, original?.variables, original?.prompt, original?.index]);
      expect([prompt.version, prompt.replaces, prompt.status]).toEqual([2, `root/${prompt.promptId}`, 'planned']);
      expect(prompt.seed).not.toBe(original?.seed);
    }
    expect(published).toEqual(['p0004', 'p0009', 'p0015']);
    expect((await store.getRun('rev-1'))?.revision).toEqual({ rootRunId: 'root', parentRunId: 'root', number: 1, select: 'rejected', slots: ['p0004', 'p0009', 'p0015'], amend: null, note: 'placards unreadable' });
  });

  it('previews the same slots and prompts and books and writes nothing', async () => {
    await finishedRun();
    const preview = await call('/v1/runs/root:regenerate:preview', { select: 'rejected', amend: { append: 'No text or signage in the image.' } });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ revision: 1, planned: 3, quota: { used: 20, left: 10 }, costEstimate: expect.objectContaining({ images: 3 }) });
    const slots = preview.body.slots as Array<{ prompt: string; previousPrompt: string; version: number }>;
    expect(slots.map((s) => s.prompt)).toEqual(slots.map((s) => `${s.previousPrompt} No text or signage in the image.`));
    expect([await used(), store.runs.size, published.length]).toEqual([20, 1, 0]);
  });

  it('numbers a second revision, and a slot regenerated again gets the next version', async () => {
    await finishedRun();
    await call('/v1/runs/root:regenerate', { select: 'rejected' });
    for (const id of ['p0004', 'p0009', 'p0015']) finish('rev-1', id);
    await store.setReview('rev-1', 'p0009', { relevance: 1, inappropriate: false, note: '', reviewedBy: 'Ada', reviewedAt: '' });
    const second = await call('/v1/runs/rev-1:regenerate', { select: 'rejected', amend: { append: 'Sharp focus.' } });
    expect(second).toMatchObject({ status: 202, body: { runId: 'rev-2', rootRunId: 'root', parentRunId: 'rev-1', revision: 2, planned: 1 } });
    const [prompt] = await store.listPrompts('rev-2');
    expect([prompt?.promptId, prompt?.version, prompt?.replaces]).toEqual(['p0009', 3, 'rev-1/p0009']);
    expect(await used()).toBe(20 + 4);
  });
});

describe('refusals: nothing written, nothing booked', () => {
  const nothingChanged = async () => expect([await used(), store.runs.size, published.length]).toEqual([20, 1, 0]);

  it('400 for a selection that matches nothing, and for an empty list of prompts', async () => {
    await finishedRun();
    expect(await call('/v1/runs/root:regenerate', { select: 'failed' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('matches no prompt') } });
    expect(await call('/v1/runs/root:regenerate', { select: { promptIds: [] } })).toMatchObject({ status: 400, body: { message: expect.stringContaining('select at least one') } });
    await nothingChanged();
  });

  it("404 for another participant's run and for prompts the run lacks", async () => {
    await finishedRun();
    expect(await call('/v1/runs/root:regenerate', { select: 'rejected' }, bob)).toMatchObject({ status: 404 });
    expect(await call('/v1/runs/root:regenerate', { select: { promptIds: ['p0004', 'p0777'] } })).toMatchObject({ status: 404, body: { message: expect.stringContaining('p0777') } });
    await nothingChanged();
  });

  it('409 while the run is still running', async () => {
    await finishedRun();
    Object.assign(store.prompts.get('root/p0002') ?? {}, { status: 'generating' });
    expect(await call('/v1/runs/root:regenerate', { select: 'rejected' })).toMatchObject({ status: 409, body: { message: expect.stringContaining('still running') } });
    await nothingChanged();
  });

  it('400 naming the field for an amendment that contradicts the exclusions or exceeds the prompt limit', async () => {
    await finishedRun();
    const slot = store.prompts.get('root/p0004');
    const [axis, other] = Object.keys(slot?.variables ?? {});
    const rule = { [axis as string]: [slot?.variables[axis as string] as string], [other as string]: [slot?.variables[other as string] as string] };
    expect(await call('/v1/runs/root:regenerate', { select: 'rejected', amend: { exclude: [rule] } })).toMatchObject({ status: 400, body: { fields: [expect.objectContaining({ field: 'amend.exclude' })] } });
    expect(await call('/v1/runs/root:regenerate', { select: 'rejected', amend: { append: '{context}'.repeat(200) } })).toMatchObject({ status: 400, body: { fields: [expect.objectContaining({ field: 'amend.append' })] } });
    expect(await call('/v1/runs/root:regenerate', { select: 'rejected', amend: { colour: 'red' } })).toMatchObject({ status: 400, body: { fields: [expect.objectContaining({ field: 'amend.colour' })] } });
    await nothingChanged();
  });

  it('429 with the figures when the quota is short', async () => {
    await finishedRun();
    await participants.setQuota('u-1', 22);
    expect(await call('/v1/runs/root:regenerate', { select: 'rejected' })).toMatchObject({ status: 429, body: { message: expect.stringContaining('20 of 22 images used, 2 left; you asked for 3') } });
    expect(await call('/v1/runs/root:regenerate:preview', { select: 'rejected' })).toMatchObject({ status: 429 });
    expect([store.runs.size, published.length]).toEqual([1, 0]);
  });
});
