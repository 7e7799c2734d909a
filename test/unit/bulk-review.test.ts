/** POST /v1/runs/{runId}/reviews on the in-memory store: all or nothing, one write token, and an undo that restores "not reviewed". */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryCohortLabels } from '../../functions/adapters/memory-cohort-labels.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { MemoryWriteLimiter } from '../../functions/adapters/memory-write-limiter.js';
import { reviewDiffers, type PromptRecord, type Review } from '../../functions/core/runs/index.js';
import type { ApiDependencies } from '../../functions/handlers/api.js';
import type { HttpError } from '../../functions/handlers/http.js';
import { reviewRoutes } from '../../functions/handlers/review-routes.js';

const ada = { id: 'u-1', name: 'Ada', role: 'participant' as const };
const bob = { id: 'u-2', name: 'Bob', role: 'participant' as const };
type Principal = typeof ada;

let store: MemoryRunStore;
let deps: ApiDependencies;
let tokensTaken: number;
let grant: boolean;
let cohortLabels: MemoryCohortLabels;

beforeEach(async () => {
  store = new MemoryRunStore();
  tokensTaken = 0;
  grant = true;
  cohortLabels = new MemoryCohortLabels();
  await cohortLabels.set([{ key: 'scene', type: 'choice', choices: ['street', 'market'] }]);
  deps = {
    store,
    cohortLabels,
    writeLimiter: { take: async () => ((tokensTaken += 1), grant ? { granted: true } : { granted: false, retryAfterMs: 4000 }) },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => Date.parse('2026-12-01T10:00:00.000Z'),
  } as unknown as ApiDependencies;
  const prompts = Array.from({ length: 120 }, (_, i) => ({ runId: 'run-a', promptId: `p${String(i + 1).padStart(4, '0')}`, index: i, category: 'street', status: 'assessed', review: null }) as unknown as PromptRecord);
  await store.createRun({ runId: 'run-a', owner: 'u-1', createdAt: '2026-12-01T09:00:00.000Z' } as never, prompts);
  await store.setReview('run-a', 'p0002', { relevance: 2, inappropriate: false, note: 'blurry', reviewedBy: 'Grace', reviewedAt: '2026-12-01T09:30:00.000Z' });
});

async function post(body: unknown, principal: Principal = ada, runId = 'run-a'): Promise<{ status: number; body: Record<string, unknown> }> {
  const path = `/v1/runs/${runId}/reviews`;
  const route = reviewRoutes(deps).find((r) => r.pattern.test(path))!;
  let answer = { status: 0, body: {} as Record<string, unknown> };
  const res = { status: (code: number) => ((answer.status = code), res), set: () => res, json: (json: Record<string, unknown>) => ((answer.body = json), res) };
  const req = { body, rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' }, is: () => true, get: () => undefined };
  const params = (route.pattern.exec(path) ?? []).slice(1);
  await route.handle({ req, res, params, principal } as never).catch((error: HttpError) => (answer = { status: error.status, body: { message: error.message } }));
  return answer;
}

const rating = (relevance: number | null, inappropriate = false, note = '') => ({ relevance, inappropriate, note });
const reviewsNow = async () => new Map((await store.listPrompts('run-a')).map((p) => [p.promptId, p.review]));

describe('bulk review', () => {
  it('writes every item, answers what each had before, and sending that back undoes it', async () => {
    const before = await reviewsNow();
    const items = ['p0001', 'p0002', 'p0003'].map((promptId) => ({ promptId, review: rating(5, true, 'x') }));
    const saved = await post({ items });
    expect(saved.status).toBe(200);
    expect(saved.body.changed).toBe(3);
    expect(saved.body.previous).toEqual([{ promptId: 'p0001', review: null }, { promptId: 'p0002', review: before.get('p0002') }, { promptId: 'p0003', review: null }]);
    const after = await reviewsNow();
    for (const id of ['p0001', 'p0002', 'p0003']) expect(after.get(id)).toEqual({ ...rating(5, true, 'x'), reviewedBy: 'Ada', reviewedAt: '2026-12-01T10:00:00.000Z' });
    expect(after.get('p0004')).toBeNull();

    // The undo: the answer's `previous` as the items of a second request, less who and when (the server sets those).
    const previous = saved.body.previous as Array<{ promptId: string; review: Review | null }>;
    const undone = await post({ items: previous.map(({ promptId, review }) => ({ promptId, review: review && { relevance: review.relevance, inappropriate: review.inappropriate, note: review.note } })) });
    expect(undone.status).toBe(200);
    expect(undone.body.changed).toBe(3);
    const restored = await reviewsNow();
    expect([restored.get('p0001'), restored.get('p0003')]).toEqual([null, null]);
    expect(restored.get('p0002')).toEqual({ ...before.get('p0002'), reviewedBy: 'Ada', reviewedAt: '2026-12-01T10:00:00.000Z' }); // the undo is Ada's own write
  });

  it('leaves an item that changes nothing as it was, reviewer kept, and does not count it', async () => {
    const saved = await post({ items: [{ promptId: 'p0002', review: rating(2, false, 'blurry') }, { promptId: 'p0005', review: null }, { promptId: 'p0006', review: rating(4) }] });
    expect(saved.body.changed).toBe(1);
    const after = await reviewsNow();
    expect(after.get('p0002')).toMatchObject({ reviewedBy: 'Grace', reviewedAt: '2026-12-01T09:30:00.000Z' });
    expect(after.get('p0005')).toBeNull();
  });

  it.each([
    ['no items', { items: [] }, /at least one/],
    ['more than a page', { items: Array.from({ length: 101 }, (_, i) => ({ promptId: `p${String(i + 1).padStart(4, '0')}`, review: rating(3) })) }, /at most 100/],
    ['an image named twice', { items: [{ promptId: 'p0001', review: rating(3) }, { promptId: 'p0001', review: null }] }, /p0001 is named twice/],
    ['one invalid review among valid ones', { items: [{ promptId: 'p0001', review: rating(3) }, { promptId: 'p0003', review: rating(9) }] }, /items\.1\.review\.relevance/],
    ['an unknown field', { items: [{ promptId: 'p0001', review: rating(3), extra: 1 }] }, /extra/],
    ['a malformed prompt id', { items: [{ promptId: '../p0001', review: rating(3) }] }, /promptId/],
    ['no items array', { promptIds: ['p0001'] }, /items/],
  ])('refuses %s with 400, writing nothing and taking no write token', async (_name, body, message) => {
    const before = await reviewsNow();
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toMatch(message);
    expect(await reviewsNow()).toEqual(before);
    expect(tokensTaken).toBe(0);
  });

  it('accepts a full page and counts it once against the write limit', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ promptId: `p${String(i + 1).padStart(4, '0')}`, review: rating(4) }));
    const answer = await post({ items });
    expect(answer).toMatchObject({ status: 200, body: { changed: 100 } });
    expect(tokensTaken).toBe(1);
  });

  it('answers 404 naming the unknown prompt and writes none of the others', async () => {
    const before = await reviewsNow();
    const answer = await post({ items: [{ promptId: 'p0001', review: rating(5) }, { promptId: 'p0999', review: rating(5) }] });
    expect(answer.status).toBe(404);
    expect(answer.body.message).toMatch(/p0999/);
    expect(await reviewsNow()).toEqual(before);
  });

  it("answers 404 for another participant's run, and 429 when the write limit is spent, writing nothing", async () => {
    const before = await reviewsNow();
    expect((await post({ items: [{ promptId: 'p0001', review: rating(5) }] }, bob)).status).toBe(404);
    grant = false;
    expect((await post({ items: [{ promptId: 'p0001', review: rating(5) }] })).status).toBe(429);
    expect(await reviewsNow()).toEqual(before);
  });

  it('a real limiter refuses the request after the burst, whole', async () => {
    deps = { ...deps, writeLimiter: new MemoryWriteLimiter({ runs: 1, reviews: 2, participants: 1, previews: 1 }) } as ApiDependencies;
    const item = (relevance: number) => ({ items: [{ promptId: 'p0001', review: rating(relevance) }, { promptId: 'p0003', review: rating(relevance) }] });
    expect((await post(item(1))).status).toBe(200); // a burst of half a minute's worth of 2 per minute: one write
    expect((await post(item(2))).status).toBe(429);
    expect((await reviewsNow()).get('p0003')?.relevance).toBe(1);
  });
});

describe('bulk review with cohort labels', () => {
  it('checks every item against the declaration, as the single review does: one undeclared value and nothing is written or counted', async () => {
    const labelled = (promptId: string, scene: string) => ({ promptId, review: { ...rating(4), labels: { scene } } });
    const refused = await post({ items: [labelled('p0001', 'street'), labelled('p0003', 'beach')] });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('p0003');
    expect(tokensTaken).toBe(0);
    expect((await reviewsNow()).get('p0001')).toBeNull();
    const saved = await post({ items: [labelled('p0001', 'street'), labelled('p0003', 'market')] });
    expect(saved.status).toBe(200);
    expect((await reviewsNow()).get('p0003')?.labels).toEqual({ scene: 'market' });
  });
});

describe('reviewDiffers', () => {
  const review = (extra: Partial<Review> = {}): Review => ({ relevance: 3, inappropriate: false, note: '', reviewedBy: 'Ada', reviewedAt: 't1', ...extra });
  it('ignores who and when, and the order of fields', () => {
    expect(reviewDiffers(review(), review({ reviewedBy: 'Bob', reviewedAt: 't2' }))).toBe(false);
    const reordered = { note: '', inappropriate: false, relevance: 3, reviewedAt: 't1', reviewedBy: 'Ada' } as Review;
    expect(reviewDiffers(review(), reordered)).toBe(false);
  });
  it('sees a changed field, an added one, and a review set or cleared', () => {
    expect(reviewDiffers(review(), review({ note: 'n' }))).toBe(true);
    expect(reviewDiffers(review(), { ...review(), extra: 'yes' } as Review)).toBe(true);
    expect(reviewDiffers(null, review())).toBe(true);
    expect(reviewDiffers(review(), null)).toBe(true);
    expect(reviewDiffers(undefined, null)).toBe(false);
  });
});
