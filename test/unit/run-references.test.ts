/** References in a run: the request names them, the api checks each before anything is booked, the planner records them per prompt, the estimate counts their tokens. */
import { describe, expect, it } from 'vitest';
import { MemoryParticipantStore } from '../../functions/adapters/memory-participants.js';
import { MemoryReferenceStore } from '../../functions/adapters/memory-references.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import type { ReferenceRecord } from '../../functions/core/references/index.js';
import { estimateRunCost, referenceImageTokens, referenceInputOf } from '../../functions/core/runs/index.js';
import { parseRunRequest, planPrompts, type Scenario } from '../../functions/core/scenario/index.js';
import type { ApiDependencies } from '../../functions/handlers/api.js';
import { HttpError } from '../../functions/handlers/http.js';
import { previewRoutes } from '../../functions/handlers/preview-routes.js';
import { regenerateRoutes } from '../../functions/handlers/regenerate-routes.js';
import { recordRun, resolveReferences, validateRunRequest } from '../../functions/handlers/run-create.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const ada = { id: 'u-ada', name: 'Ada', role: 'participant' as const };
const grace = { id: 'u-grace', name: 'Grace', role: 'participant' as const };
const instructor = { id: 'instructor', name: 'Instructor', role: 'instructor' as const };

const scenario = (references?: Record<string, string[]>): Record<string, unknown> => ({
  name: 'refs',
  categories: {
    march: { template: 'A march in the {place}', variables: { place: ['square', 'street', 'park'] }, ...(references?.march ? { references: references.march } : {}) },
    vigil: { template: 'A vigil by the {place}', variables: { place: ['river', 'church'] }, ...(references?.vigil ? { references: references.vigil } : {}) },
  },
});

function reference(referenceId: string, owner: string, options: Partial<ReferenceRecord> = {}): ReferenceRecord {
  return {
    referenceId, owner, name: referenceId, width: 1024, height: 683, sha256: 'x', bytes: 1000, shared: false, createdAt: '2026-01-01T00:00:00Z',
    objectName: `references/${owner}/${referenceId}.jpg`, signature: {} as ReferenceRecord['signature'], ...options,
  };
}

async function setup(model = 'gemini-2.5-flash-image') {
  const references = new MemoryReferenceStore();
  for (const record of [reference('ref-ada', 'u-ada'), reference('ref-ada-small', 'u-ada', { width: 300, height: 200 }), reference('ref-grace', 'u-grace'), reference('ref-shared', 'u-grace', { shared: true })]) {
    await references.create(record, () => ({ ok: true }));
  }
  const quotas = { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 };
  const participants = new MemoryParticipantStore(quotas);
  await participants.create([{ id: 'u-ada', name: 'Ada', tokenHash: 'h', revoked: false, imageQuota: 50, imagesUsed: 0, activeRuns: [], createdAt: '' }]);
  const store = new MemoryRunStore();
  const deps = {
    store, participants, quotas, builtins: builtinScenarios, defaultScenario: DEFAULT_SCENARIO, provider: { name: 'gemini', model },
    references: { store: references }, log: { info: () => undefined, warn: () => undefined, error: () => undefined }, now: () => 1_000_000,
  } as unknown as ApiDependencies;
  return { deps, store };
}

const refused = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as HttpError);

describe('a run request names references', () => {
  it('plans each prompt with its category\'s references, then the run\'s, each once', () => {
    const parsed = parseRunRequest({ count: 10, seed: 3, scenario: scenario({ march: ['ref-a', 'ref-b'] }), references: ['ref-b', 'ref-c'] }, builtinScenarios(), DEFAULT_SCENARIO);
    if (!parsed.ok) throw new Error(parsed.message);
    const planned = planPrompts(parsed.value.scenario, { count: 10, seed: 3, references: parsed.value.references ?? [] });
    const byCategory = new Map(planned.map((prompt) => [prompt.category, prompt.referenceIds]));
    expect(Object.fromEntries(byCategory)).toEqual({ march: ['ref-a', 'ref-b', 'ref-c'], vigil: ['ref-b', 'ref-c'] });
  });

  it('leaves referenceIds off a prompt nothing guides', () => {
    const planned = planPrompts(builtinScenarios().get(DEFAULT_SCENARIO) as Scenario, { count: 5, seed: 1 });
    expect(planned.every((prompt) => !('referenceIds' in prompt))).toBe(true);
  });

  it('bounds the references per prompt on the union of a category\'s and the run\'s, naming the field', () => {
    const over = parseRunRequest({ count: 4, scenario: scenario({ march: ['ref-a', 'ref-b'] }), references: ['ref-c', 'ref-d'] }, builtinScenarios(), DEFAULT_SCENARIO);
    expect(over).toMatchObject({ ok: false, fields: [{ field: 'references', message: expect.stringMatching(/"march" would be guided by 4 references.*at most 3/) }] });
    // The same four, but only for a category the run does not plan: within the bound.
    expect(parseRunRequest({ count: 4, scenario: scenario({ march: ['ref-a', 'ref-b'] }), references: ['ref-c', 'ref-d'].slice(0, 1), categories: ['march'] }, builtinScenarios(), DEFAULT_SCENARIO).ok).toBe(true);
    const badId = parseRunRequest({ count: 4, scenario: scenario({ vigil: ['../etc'] }) }, builtinScenarios(), DEFAULT_SCENARIO);
    expect(badId).toMatchObject({ ok: false, fields: [{ field: 'scenario.categories.vigil.references.0' }] });
  });
});

describe('resolveReferences', () => {
  it('accepts the caller\'s own and shared references, and the instructor any', async () => {
    const { deps } = await setup();
    const own = await resolveReferences(deps, ada, validateRunRequest(deps, { count: 4, seed: 1, scenario: scenario({ vigil: ['ref-shared'] }), references: ['ref-ada'] }));
    expect([...(own.referenceTokens?.keys() ?? [])].sort()).toEqual(['ref-ada', 'ref-shared']);
    expect((await resolveReferences(deps, instructor, validateRunRequest(deps, { count: 4, references: ['ref-grace'] }))).referenceTokens?.get('ref-grace')).toBe(516);
  });

  it('refuses another participant\'s reference exactly as a missing one, naming the field', async () => {
    const { deps } = await setup();
    const theirs = await refused(resolveReferences(deps, ada, validateRunRequest(deps, { count: 4, scenario: scenario({ vigil: ['ref-grace'] }) })));
    const missing = await refused(resolveReferences(deps, ada, validateRunRequest(deps, { count: 4, scenario: scenario({ vigil: ['ref-gone'] }) })));
    expect([theirs?.status, theirs?.fields]).toEqual([400, [{ field: 'scenario.categories.vigil.references', message: 'reference ref-grace does not exist' }]]);
    expect(missing?.message.replace('ref-gone', 'ID')).toBe(theirs?.message.replace('ref-grace', 'ID'));
    const run = await refused(resolveReferences(deps, grace, validateRunRequest(deps, { count: 4, references: ['ref-ada'] })));
    expect(run?.fields).toEqual([{ field: 'references', message: 'reference ref-ada does not exist' }]);
  });
});

describe('recording and previewing a run with references', () => {
  it('copies referenceIds onto the prompt records and adds the references\' input tokens to the estimate', async () => {
    const { deps, store } = await setup();
    const request = await resolveReferences(deps, ada, validateRunRequest(deps, { count: 6, seed: 2, scenario: scenario({ march: ['ref-ada-small'] }), references: ['ref-ada'] }));
    const { run, planned } = await recordRun(deps, ada, request, 'r1', async () => false);
    const records = [...store.prompts.values()];
    expect(records.map((prompt) => prompt.referenceIds).sort()).toEqual(planned.map((prompt) => prompt.referenceIds).sort());
    const march = planned.filter((prompt) => prompt.category === 'march').length;
    // 1024×683 is 2×1 tiles of 768 px (516 tokens); 300×200 is one image of at most 384 px (258).
    const tokens = planned.length * 516 + march * 258;
    expect(run.costEstimate.references).toMatchObject({ images: planned.length + march, tokens });
    expect(run.costEstimate.usd).toBeCloseTo(Math.round((planned.length * 0.039 + (tokens * 0.3) / 1e6) * 1000) / 1000, 6);
  });

  it('shows each prompt\'s references and their cost in the preview', async () => {
    const { deps } = await setup();
    const [route] = previewRoutes(deps);
    let answer: { prompts: Array<{ referenceIds?: string[] }>; costEstimate: { references?: { images: number } } } | undefined;
    const res = { status: () => res, set: () => res, json: (body: typeof answer) => ((answer = body), res), send: () => res };
    const body = { count: 4, seed: 1, references: ['ref-shared'] };
    const req = { body, rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' }, is: () => true, get: () => undefined };
    await route!.handle({ req, res, params: [], principal: ada } as never);
    expect(answer?.prompts.map((prompt) => prompt.referenceIds)).toEqual([['ref-shared'], ['ref-shared'], ['ref-shared'], ['ref-shared']]);
    expect(answer?.costEstimate.references?.images).toBe(4);
  });
});

describe('regenerating a guided run', () => {
  it('keeps each slot\'s references, and counts those still stored in the estimate', async () => {
    const { deps, store } = await setup();
    const request = await resolveReferences(deps, ada, validateRunRequest(deps, { count: 4, seed: 2, scenario: scenario({ march: ['ref-ada-small'] }), references: ['ref-ada'] }));
    await recordRun(deps, ada, request, 'root', async () => true);
    for (const prompt of store.prompts.values()) Object.assign(prompt, { status: 'assessed', objectName: `runs/root/${prompt.category}/${prompt.promptId}.png`, objectGeneration: '1' });
    await deps.references?.store.remove('ref-ada-small');
    const routes = regenerateRoutes({ ...deps, newRunId: () => 'rev-1', publisher: { publish: async () => ({ failed: [] }) } } as unknown as ApiDependencies);
    const answers: Array<{ costEstimate?: { references?: { images: number; tokens: number } } }> = [];
    const res = { status: () => res, set: () => res, json: (body: (typeof answers)[number]) => (answers.push(body), res), send: () => res };
    const body = { select: { promptIds: ['p0001', 'p0002'] } };
    const req = { body, rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' }, is: () => true, get: () => undefined };
    for (const path of ['/v1/runs/root:regenerate:preview', '/v1/runs/root:regenerate']) {
      await routes.find((r) => r.method === 'POST' && r.pattern.test(path))!.handle({ req, res, params: ['root'], principal: ada } as never);
    }
    const original = (runId: string, id: string) => store.prompts.get(`${runId}/${id}`)?.referenceIds ?? [];
    expect(['p0001', 'p0002'].map((id) => original('rev-1', id))).toEqual(['p0001', 'p0002'].map((id) => original('root', id)));
    // ref-ada-small was deleted: it stays listed on its slot but is no longer sent, so it is not counted.
    const sent = ['p0001', 'p0002'].flatMap((id) => original('root', id)).filter((id) => id === 'ref-ada');
    expect(answers[0]?.costEstimate?.references).toMatchObject({ images: sent.length, tokens: sent.length * 516 });
  });
});

describe('reference tokens', () => {
  it('counts 258 up to 384 px on both sides, else 258 per 768×768 tile', () => {
    expect([referenceImageTokens(384, 384), referenceImageTokens(385, 10), referenceImageTokens(1024, 1024), referenceImageTokens(768, 768), referenceImageTokens(1024, 576)]).toEqual([258, 258, 1032, 258, 516]);
  });

  it('leaves an estimate without references as it was', () => {
    expect(estimateRunCost('gemini-2.5-flash-image', 10, null, referenceInputOf([{}, { referenceIds: [] }], new Map()))).toEqual(estimateRunCost('gemini-2.5-flash-image', 10, null));
  });
});
