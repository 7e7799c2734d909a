import { beforeAll, describe, expect, it } from 'vitest';
import { functionLog, stackClients, waitForRun } from '../support/stack-clients.js';

/** Cancel, purge and revoke in the middle of a run: no model call afterwards, nothing left behind, quota returned. */
describe('stopping a run mid-way on the emulator stack', () => {
  const { stack, bucket, api } = stackClients();
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // Loosely typed on purpose: each test reads the fields of the answer it expects.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const instructor = stack.instructorToken;
  let people: Array<{ id: string; token: string }>;

  beforeAll(async () => {
    const created = await call('POST', '/v1/participants:batchCreate', instructor, { participants: [{ name: 'Cancels' }, { name: 'Purged' }, { name: 'Revoked' }] });
    expect(created.status).toBe(201);
    people = created.body.participants;
  });

  /** Large enough that, on an idle machine, most of the run is still queued when the first image is assessed. */
  const RUN_SIZE = 90;

  /** Starts a run and returns once an image is done and the rest are on their way. */
  async function runUnderWay(token: string, seed: number): Promise<string> {
    const created = await call('POST', '/v1/runs', token, { count: RUN_SIZE, seed });
    expect(created.status).toBe(202);
    for (;;) {
      const status = await api.getRun(created.body.runId);
      if (status.counts.assessed >= 1) return created.body.runId as string;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Model calls logged for the run after `since` (epoch ms), once in-flight work has had time to settle. */
  async function callsAfter(runId: string, since: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 4000));
    return functionLog(stack.logDir, 'generateImage', runId).filter((entry) => entry.message === 'provider_call' && Date.parse(String(entry.time)) > since).length;
  }

  const participant = async (id: string) => ((await call('GET', '/v1/participants', instructor)).body.participants as Array<{ id: string; imagesUsed: number; activeRuns: Array<{ runId: string }> }>).find((entry) => entry.id === id)!;

  it('cancel: queued prompts end failed "cancelled", no model call follows, the images come back to the quota and the run frees its slot', async () => {
    const [owner, other] = [people[0]!, people[1]!];
    const runId = await runUnderWay(owner.token, 101);
    expect((await call('POST', `/v1/runs/${runId}:cancel`, other.token)).status).toBe(404);
    const cancel = await call('POST', `/v1/runs/${runId}:cancel`, owner.token);
    const cancelledAt = Date.now();
    expect(cancel.status).toBe(200);
    expect(cancel.body.cancelled).toBeGreaterThan(0);

    const status = await waitForRun(api, runId, 60_000);
    const { prompts } = await api.getPrompts(runId);
    expect(prompts.every((prompt) => prompt.status === 'assessed' || (prompt.status === 'failed' && prompt.failureReason === 'cancelled'))).toBe(true);
    expect(status.counts.failed).toBe(cancel.body.cancelled);
    expect(await callsAfter(runId, cancelledAt)).toBe(0);

    expect((await call('POST', `/v1/runs/${runId}:cancel`, instructor)).body).toMatchObject({ cancelled: 0 });
    const after = await participant(owner.id);
    expect(after.imagesUsed).toBe(RUN_SIZE - cancel.body.cancelled);
    for (let tries = 0; (await participant(owner.id)).activeRuns.some((entry) => entry.runId === runId); tries += 1) {
      expect(tries, 'the reconciler frees the in-flight slot within a few ticks').toBeLessThan(50);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it('purge: cancels first, and no image is left in the bucket, even from a worker that was mid-call', async () => {
    const owner = people[1]!;
    const runId = await runUnderWay(owner.token, 102);
    const purge = await call('DELETE', `/v1/participants/${owner.id}/runs`, instructor);
    const purgedAt = Date.now();
    expect(purge).toMatchObject({ status: 200, body: { deletedRuns: 1 } });
    expect(await callsAfter(runId, purgedAt)).toBe(0);
    const [files] = await bucket.getFiles({ prefix: `runs/${runId}/` });
    expect(files.map((file) => file.name)).toEqual([]);
    expect((await participant(owner.id)).imagesUsed).toBeLessThan(RUN_SIZE);
  });

  it('revoke: the participant\'s queued prompts are cancelled, no model call follows, and the quota comes back', async () => {
    const owner = people[2]!;
    const runId = await runUnderWay(owner.token, 103);
    const revoke = await call('POST', `/v1/participants/${owner.id}:revoke`, instructor);
    const revokedAt = Date.now();
    expect(revoke.status).toBe(200);
    await waitForRun(api, runId, 60_000);
    const failed = (await api.getPrompts(runId)).prompts.filter((prompt) => prompt.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((prompt) => prompt.failureReason === 'cancelled')).toBe(true);
    expect(revoke.body.imagesUsed).toBe(RUN_SIZE - failed.length);
    expect(await callsAfter(runId, revokedAt)).toBe(0);
  });
});
