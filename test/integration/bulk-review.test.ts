import { beforeAll, describe, expect, it } from 'vitest';
import { stackClients, waitForRun } from '../support/stack-clients.js';

/** POST /v1/runs/{runId}/reviews on the emulator stack: one Firestore transaction, all or nothing, and its undo. */
describe('bulk review on the emulator stack', () => {
  const { stack, api } = stackClients();
  // Loosely typed on purpose: each test reads the fields of the answer it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };
  let ada: { token: string };
  let runId: string;
  const reviews = async () => new Map<string, unknown>((await call('GET', `/v1/runs/${runId}/prompts`, ada.token)).body.prompts.map((p: { promptId: string; review: unknown }) => [p.promptId, p.review]));

  beforeAll(async () => {
    const created = await call('POST', '/v1/participants', stack.instructorToken, { name: 'Bulk Ada' });
    expect(created.status).toBe(201);
    ada = created.body as { token: string };
    const run = await call('POST', '/v1/runs', ada.token, { count: 3, seed: 8 });
    expect(run.status).toBe(202);
    runId = run.body.runId;
    await waitForRun(api, runId);
  });

  it('reviews three images in one request, then undoes it, read back through the api', async () => {
    expect((await call('PUT', `/v1/runs/${runId}/prompts/p0002/review`, ada.token, { relevance: 2, inappropriate: false, note: 'dark' })).status).toBe(200);
    const before = await reviews();
    const items = ['p0001', 'p0002', 'p0003'].map((promptId) => ({ promptId, review: { relevance: 5, inappropriate: true, note: 'bulk' } }));
    const saved = await call('POST', `/v1/runs/${runId}/reviews`, ada.token, { items });
    expect(saved.status).toBe(200);
    expect(saved.body.changed).toBe(3);
    expect(saved.body.previous.map((p: { review: unknown }) => p.review)).toEqual([null, before.get('p0002'), null]);
    for (const review of (await reviews()).values()) expect(review).toMatchObject({ relevance: 5, inappropriate: true, note: 'bulk', reviewedBy: 'Bulk Ada' });

    const undo = saved.body.previous.map(({ promptId, review }: { promptId: string; review: { relevance: number; inappropriate: boolean; note: string } | null }) =>
      ({ promptId, review: review && { relevance: review.relevance, inappropriate: review.inappropriate, note: review.note } }));
    expect((await call('POST', `/v1/runs/${runId}/reviews`, ada.token, { items: undo })).body.changed).toBe(3);
    const restored = await reviews();
    expect([restored.get('p0001'), restored.get('p0003')]).toEqual([null, null]);
    expect(restored.get('p0002')).toMatchObject({ relevance: 2, inappropriate: false, note: 'dark' });
  });

  it('writes nothing when one prompt does not exist', async () => {
    const before = await reviews();
    const answer = await call('POST', `/v1/runs/${runId}/reviews`, ada.token, { items: [{ promptId: 'p0001', review: { relevance: 1, inappropriate: false, note: '' } }, { promptId: 'p0404', review: null }] });
    expect(answer.status).toBe(404);
    expect(answer.body.error.message).toContain('p0404');
    expect(await reviews()).toEqual(before);
  });
});
