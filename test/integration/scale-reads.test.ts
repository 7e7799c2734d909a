import { Firestore } from '@google-cloud/firestore';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FirestoreParticipantStore } from '../../functions/adapters/firestore-participants.js';
import { FirestoreRunStore } from '../../functions/adapters/firestore-store.js';
import type { Participant } from '../../functions/core/access/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { previewObjectName } from '../../functions/core/objects/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { runStatus } from '../../functions/handlers/run-views.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { meteredFirestoreSettings, newMeter } from '../../scripts/bench/firestore-meter.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';

/** Firestore reads counted on the wire, against the emulator: what a read route really costs. */
describe('reads proportional to what changed, on the emulator stack', () => {
  const { stack, firestore, store, previews, api } = stackClients();
  const meter = newMeter();
  const metered = new FirestoreRunStore(new Firestore({ projectId: stack.projectId, ignoreUndefinedProperties: true, ...meteredFirestoreSettings(meter) }));
  const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
  const silent = { info() {}, warn() {}, error() {} };
  const views = { store: metered, bucket: null as never, previews: null as never, thumbnail: null as never, log: silent };
  const reset = () => Object.assign(meter, newMeter());
  const call = async (path: string, token: string, headers: Record<string, string> = {}, method = 'GET', body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  const runRecord = (runId: string, owner: string, createdAt: string, count = 0): RunRecord =>
    ({ runId, scenario, count, seed: 1, categories: Object.keys(scenario.categories), provider: 'embedded', model: 'embedded', createdAt, state: 'accepted', owner,
      image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { currency: 'USD', perImage: 0, total: 0 } }) as unknown as RunRecord;

  it('serves a completed run from its stored summary: one document read', async () => {
    const created = await api.createRun({ count: 3, seed: 11 });
    const done = await waitForRun(api, created.runId); // the api stores the summary when it first sees the run completed
    reset();
    const run = await metered.getRun(created.runId);
    expect(run?.summary).toEqual(expect.any(String));
    const status = await runStatus(views, run as RunRecord);
    expect(meter.reads).toBe(1);
    expect(meter.calls).toEqual({ BatchGetDocuments: 1 });
    expect(status).toMatchObject({ state: 'completed', counts: done.counts, report: done.report });
  });

  it('polls a running run with seven reads: the run, five counts and one average, no prompt scan', async () => {
    const runId = `busy-${Date.now()}`;
    await store.createRun(runRecord(runId, 'u-poller', new Date().toISOString(), 120), planPrompts(scenario, { count: 120, seed: 2 }).map((p) => newPromptRecord(runId, p)));
    reset();
    const status = await runStatus(views, (await metered.getRun(runId)) as RunRecord);
    expect(status).toMatchObject({ state: 'running', planned: 120 });
    expect(meter.reads).toBe(7);
    expect(meter.calls).toEqual({ BatchGetDocuments: 1, RunAggregationQuery: 6 });
  });

  it('walks runs, participants and prompts by cursor: every item exactly once while others are inserted', async () => {
    const owner = `u-walk${Date.now()}`;
    const stamp = (second: number) => `2026-11-29T10:00:${String(second).padStart(2, '0')}.000Z`;
    const existing = Array.from({ length: 17 }, (_, i) => runRecord(`${owner}-r${String(i).padStart(2, '0')}`, owner, stamp(Math.floor(i / 4))));
    for (const run of existing) await store.createRun(run, []);
    const participants = new FirestoreParticipantStore(firestore, { defaultImageQuota: 1, maxImagesPerRun: 1, maxRunsInFlight: 1 });
    const person = (id: string, createdAt: string): Participant => ({ id, name: id, tokenHash: id, revoked: false, imageQuota: 1, imagesUsed: 0, activeRuns: [], createdAt });
    const people = Array.from({ length: 11 }, (_, i) => person(`${owner}-p${String(i).padStart(2, '0')}`, `2000-01-01T00:00:0${Math.floor(i / 3)}.000Z`));
    await participants.create(people);

    const seenRuns: string[] = [];
    let runCursor = null;
    let inserted = 0;
    do {
      const page = await store.listRunsPage({ owner, pageSize: 3, after: runCursor });
      seenRuns.push(...page.runs.map((run) => run.runId));
      // Inserted between pages: a newer run, and one tied on creation time with the page's last.
      const last = page.runs.at(-1);
      await store.createRun(runRecord(`${owner}-new${inserted++}`, owner, new Date().toISOString()), []);
      if (last) await store.createRun(runRecord(`${last.runId}-tie`, owner, last.createdAt), []);
      runCursor = page.next;
    } while (runCursor);
    expect(new Set(seenRuns).size).toBe(seenRuns.length);
    for (const run of existing) expect(seenRuns.filter((id) => id === run.runId)).toHaveLength(1);

    const seenPeople: string[] = [];
    let personCursor = null;
    do {
      const page = await participants.listPage({ pageSize: 4, after: personCursor });
      seenPeople.push(...page.participants.map((p) => p.id));
      const last = page.participants.at(-1);
      if (last) await participants.create([person(`${last.id}-tie${inserted++}`, last.createdAt)]);
      personCursor = page.next;
    } while (personCursor);
    expect(new Set(seenPeople).size).toBe(seenPeople.length);
    for (const p of people) expect(seenPeople.filter((id) => id === p.id)).toHaveLength(1);

    const runId = `${owner}-prompts`;
    const planned = planPrompts(scenario, { count: 23, seed: 4 });
    await store.createRun(runRecord(runId, owner, stamp(59), 23), planned.map((p) => newPromptRecord(runId, p)));
    const seenPrompts: string[] = [];
    let promptCursor: number | null = null;
    do {
      const page = await store.listPromptsPage(runId, { pageSize: 5, after: promptCursor });
      seenPrompts.push(...page.prompts.map((p) => p.promptId));
      promptCursor = page.next;
    } while (promptCursor !== null);
    expect(seenPrompts).toEqual(planned.map((p) => p.promptId));
    await participants.remove([...new Set(seenPeople.filter((id) => id.startsWith(owner)))]);
  });

  it('stores a preview at assessment, serves it with an ETag, answers 304 to it, and 401 once the token is revoked', async () => {
    const created = await call('/v1/participants', stack.instructorToken, {}, 'POST', { name: 'Preview tester' });
    const { id, token } = (await created.json()) as { id: string; token: string };
    const run = (await (await call('/v1/runs', token, {}, 'POST', { count: 2, seed: 5 })).json()) as { runId: string };
    await waitForRun(api, run.runId);
    const { prompts } = await api.getPrompts(run.runId);
    const prompt = prompts[0]!;
    const [exists] = await previews.file(previewObjectName(prompt.objectName as string)).exists();
    expect(exists).toBe(true);
    const path = `/v1/runs/${run.runId}/images/${prompt.promptId}?size=thumb`;
    const first = await call(path, token);
    const etag = first.headers.get('etag') as string;
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(await sharp(Buffer.from(await first.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 256 });
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toContain('Authorization');
    expect(etag).toBe(`"${prompt.objectGeneration}-jpeg256"`);
    expect((await call(path, token, { 'If-None-Match': etag })).status).toBe(304);
    expect((await call(`/v1/participants/${id}:revoke`, stack.instructorToken, {}, 'POST')).status).toBe(200);
    // An address of its own: the sign-in throttle counts failures per address, and the suite's other
    // tests fail sign-ins from the same loopback address (a paused address is answered 429).
    const own = { 'X-Forwarded-For': '192.0.2.103' };
    expect((await call(path, token, { ...own, 'If-None-Match': etag })).status).toBe(401);
    expect((await call(path, token, own)).status).toBe(401);
  });
});
