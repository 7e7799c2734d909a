/** Creating a run: checks in order of cost, and a failure after the booking gives it back and leaves nothing. */
import { describe, expect, it } from 'vitest';
import { MemoryParticipantStore } from '../../functions/adapters/memory-participants.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { MemoryWriteLimiter } from '../../functions/adapters/memory-write-limiter.js';
import type { RunRecord, PromptRecord } from '../../functions/core/runs/index.js';
import type { ApiDependencies } from '../../functions/handlers/api.js';
import { HttpError } from '../../functions/handlers/http.js';
import { previewRoutes } from '../../functions/handlers/preview-routes.js';
import { recordRun, validateRunRequest } from '../../functions/handlers/run-create.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const quotas = { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 };
const principal = { id: 'u-1', name: 'Ada', role: 'participant' as const };

/** Writes the first half of the prompts, then fails: as a Firestore batch over its limits would. */
class FailingStore extends MemoryRunStore {
  override async createRun(run: RunRecord, prompts: PromptRecord[]): Promise<void> {
    await super.createRun({ ...run, runId: `${run.runId}` }, prompts.slice(0, Math.ceil(prompts.length / 2)));
    this.runs.delete(run.runId);
    throw new Error('INVALID_ARGUMENT: the request is too large');
  }
}

async function setup(store: MemoryRunStore, writeLimits = { runs: 20, reviews: 120, participants: 60, previews: 30 }) {
  const participants = new MemoryParticipantStore(quotas);
  await participants.create([{ id: 'u-1', name: 'Ada', tokenHash: 'h', revoked: false, imageQuota: 50, imagesUsed: 5, activeRuns: [], createdAt: '' }]);
  const logged: string[] = [];
  const deps = {
    store,
    participants,
    builtins: builtinScenarios,
    defaultScenario: DEFAULT_SCENARIO,
    provider: { name: 'embedded', model: 'm' },
    writeLimiter: new MemoryWriteLimiter(writeLimits),
    log: { info: () => undefined, warn: () => undefined, error: (message: string) => void logged.push(message) },
    now: () => 1_000_000,
  } as unknown as ApiDependencies;
  return { deps, participants, logged };
}

describe('recordRun', () => {
  it('books, plans and records a run', async () => {
    const store = new MemoryRunStore();
    const { deps, participants } = await setup(store);
    const { planned } = await recordRun(deps, principal, validateRunRequest(deps, { count: 10, seed: 1 }), 'r1', async () => false);
    expect(planned).toHaveLength(10);
    expect(store.prompts.size).toBe(10);
    expect(await participants.get('u-1')).toMatchObject({ imagesUsed: 15, activeRuns: [{ runId: 'r1' }] });
  });

  it('gives the booking back and deletes the partial prompts when recording fails', async () => {
    const store = new FailingStore();
    const { deps, participants, logged } = await setup(store);
    await expect(recordRun(deps, principal, validateRunRequest(deps, { count: 10, seed: 1 }), 'r1', async () => false)).rejects.toThrow(/too large/);
    expect([store.runs.size, store.prompts.size]).toEqual([0, 0]);
    expect(await participants.get('u-1')).toMatchObject({ imagesUsed: 5, activeRuns: [] });
    expect(logged).toEqual([expect.stringMatching(/booking given back/)]);
  });

  it('refuses by write limit before booking anything', async () => {
    const store = new MemoryRunStore();
    const { deps, participants } = await setup(store, { runs: 2, reviews: 1, participants: 1, previews: 1 });
    const request = validateRunRequest(deps, { count: 1, seed: 1 });
    await recordRun(deps, principal, request, 'r1', async () => true);
    const error = (await recordRun(deps, principal, request, 'r2', async () => true).catch((e: unknown) => e)) as HttpError;
    expect([error.status, error.headers['Retry-After']]).toEqual([429, '30']);
    expect(await participants.get('u-1')).toMatchObject({ imagesUsed: 6 });
  });

  it('refuses a quota overrun before planning', async () => {
    const store = new MemoryRunStore();
    const { deps } = await setup(store);
    const error = (await recordRun(deps, principal, validateRunRequest(deps, { count: 46, seed: 1 }), 'r1', async () => false).catch((e: unknown) => e)) as HttpError;
    expect([error.status, error.message]).toEqual([429, expect.stringMatching(/5 of 50 images used, 45 left/)]);
    expect(store.prompts.size).toBe(0);
  });
});

describe('POST /v1/runs:preview', () => {
  // 4 a minute allows a burst of 2 (half a minute's worth).
  it('has a per-caller ceiling of its own, from the shared write limiter, after the schema check', async () => {
    const { deps } = await setup(new MemoryRunStore(), { runs: 20, reviews: 120, participants: 60, previews: 4 });
    const [route] = previewRoutes({ ...deps, quotas } as ApiDependencies);
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      let status = 0;
      const res = { status: (code: number) => ((status = code), res), set: () => res, json: () => res, send: () => res };
      // The second call is malformed: a rejected preview costs no token.
      const body = i === 1 ? { count: 0 } : { count: 3, seed: 1 };
      const req = { body, rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' }, is: () => true, get: () => undefined };
      await route!.handle({ req, res, params: [], principal } as never).catch((error: HttpError) => (status = error.status));
      answers.push(status);
    }
    expect(answers).toEqual([200, 400, 200, 429]);
  });
});
