import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunStatus } from '../../scripts/client/api-client.js';
import { functionLog, LOG_LANDS, stackClients, waitForRun } from '../support/stack-clients.js';

type Entry = Record<string, unknown>;

/** The generator's log cut at each supervisor restart: one segment per process lifetime. */
function generatorLifetimes(logDir: string, runId: string): Entry[][] {
  const segments: Entry[][] = [[]];
  for (const line of readFileSync(join(logDir, 'generateImage.log'), 'utf8').split('\n')) {
    if (line.startsWith('[supervisor]') && line.includes('restarted')) segments.push([]);
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as Entry;
    if (entry.runId === runId) segments.at(-1)!.push(entry);
  }
  return segments;
}

const perPrompt = (entries: Entry[], message: string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const entry of entries) if (entry.message === message) counts.set(String(entry.promptId), (counts.get(String(entry.promptId)) ?? 0) + 1);
  return counts;
};

/** Every planned prompt ended: assessed, or failed with a reason. */
async function expectAccountedFor(status: RunStatus, planned: number, prompts: Array<{ promptId: string; status: string; failureReason: string | null }>) {
  expect(status.state).toBe('completed');
  expect(prompts).toHaveLength(planned);
  for (const prompt of prompts) {
    expect(['assessed', 'failed']).toContain(prompt.status);
    if (prompt.status === 'failed') expect(prompt.failureReason).toMatch(/\S/);
  }
}

describe('the reconciler and the supervisor on the emulator stack', () => {
  const { api, stack } = stackClients();
  const setFaults = async (rates: { generationDropRate: number; finalizeDropRate: number }) => {
    const response = await fetch(stack.faultControlUrl, { method: 'PUT', body: JSON.stringify(rates) });
    return (await response.json()) as { dropped: { generation: number; finalize: number } };
  };
  const faultState = async () => (await (await fetch(stack.faultControlUrl)).json()) as { dropped: { generation: number; finalize: number } };

  afterEach(async () => {
    await setFaults({ generationDropRate: 0, finalizeDropRate: 0 });
  });

  const waitForAssessed = async (runId: string, atLeast: number) => {
    for (let status = await api.getRun(runId); status.counts.assessed < atLeast; status = await api.getRun(runId)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('kill -9 of the generator mid-run: it is restarted, the run completes, and no prompt gets a second successful model call', async () => {
    const created = await api.createRun({ count: 30, seed: 31 });
    await waitForAssessed(created.runId, 3);
    const pid = (JSON.parse(readFileSync(stack.processFile, 'utf8')) as Record<string, number>).generateImage!;
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');

    const status = await waitForRun(api, created.runId, 180_000);
    const { prompts } = await api.getPrompts(created.runId);
    await expectAccountedFor(status, 30, prompts);

    const restartedPid = (JSON.parse(readFileSync(stack.processFile, 'utf8')) as Record<string, number>).generateImage;
    expect(restartedPid).not.toBe(pid);
    expect(readFileSync(join(stack.logDir, 'generateImage.log'), 'utf8')).toMatch(/\[supervisor\] generateImage exited \(signal SIGKILL\); restarting in [\d.]+ s/);

    // The run can complete before the last `generated` line lands (LOG_LANDS), so the log is read
    // again until it accounts for every assessed image (below).
    const readLog = () => {
      const lifetimes = generatorLifetimes(stack.logDir, created.runId);
      // A successful model call ends in a `generated` line; a call cut off by the kill never does.
      const successes = perPrompt(lifetimes.flat(), 'generated');
      const killed = lifetimes[0]!;
      const finishedBeforeKill = perPrompt(killed, 'generated');
      const cutOff = new Set([...perPrompt(killed, 'provider_call').keys()].filter((promptId) => !finishedBeforeKill.has(promptId)));
      return { lifetimes, successes, cutOff };
    };
    // Each assessed image is recorded by a `generated` line, except one whose worker died after
    // storing it, which the next delivery finishes from the stored object without a model call.
    const accountsForEveryImage = ({ successes, cutOff }: ReturnType<typeof readLog>) => {
      expect(successes.size).toBeLessThanOrEqual(status.counts.assessed);
      expect(successes.size).toBeGreaterThanOrEqual(status.counts.assessed - cutOff.size);
    };
    let log = readLog();
    await vi.waitFor(() => accountsForEveryImage((log = readLog())), LOG_LANDS);
    const { lifetimes, successes, cutOff } = log;
    expect(lifetimes.length).toBeGreaterThanOrEqual(2);
    expect([...successes.values()].every((count) => count === 1)).toBe(true);
    // The kill can only touch the prompts whose call was under way; every other prompt is assessed.
    // The in-flight mark is stored just before the `provider_call` line is logged, so a kill between
    // the two leaves a prompt under way with no line: it fails as an unknown outcome marked before the kill.
    const markedBeforeKill = (reason: string | null) => {
      const calledAt = /^unknown_outcome: the model was called at (\S+) /.exec(reason ?? '')?.[1];
      return calledAt !== undefined && Date.parse(calledAt) <= killedAt;
    };
    const failed = prompts.filter((prompt) => prompt.status === 'failed');
    expect(failed.filter((prompt) => !cutOff.has(prompt.promptId) && !(markedBeforeKill(prompt.failureReason) && !successes.has(prompt.promptId)))).toEqual([]);
    expect(status.counts).toMatchObject({ assessed: 30 - failed.length, failed: failed.length });
    // Within one process lifetime, no prompt is sent to the model twice.
    for (const lifetime of lifetimes) expect(Math.max(0, ...perPrompt(lifetime, 'provider_call').values())).toBeLessThanOrEqual(1);
  });

  it('10 % of generation messages and 10 % of finalize events lost: the reconciler re-queues and re-assesses, and every prompt is accounted for', async () => {
    await setFaults({ generationDropRate: 0.1, finalizeDropRate: 0.1 });
    const created = await api.createRun({ count: 40, seed: 41 });
    const status = await waitForRun(api, created.runId, 180_000);
    const dropped = (await faultState()).dropped;
    expect(dropped.generation).toBeGreaterThanOrEqual(4);
    expect(dropped.finalize).toBeGreaterThanOrEqual(1);
    await expectAccountedFor(status, 40, (await api.getPrompts(created.runId)).prompts);
    expect(status.counts.assessed).toBe(40);

    // 'run completed' is logged just after the run is marked completed.
    const reconcileLog = await vi.waitFor(() => {
      const entries = readFileSync(join(stack.logDir, 'reconcile.log'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Entry);
      expect(entries.some((entry) => entry.message === 'run completed' && entry.runId === created.runId)).toBe(true);
      return entries;
    }, LOG_LANDS);
    expect(reconcileLog.filter((entry) => entry.message === 'reassessed a generated image whose finalize event never came' && entry.runId === created.runId).length).toBeGreaterThanOrEqual(1);
    expect(reconcileLog.some((entry) => entry.message === 'reconcile tick' && Number(entry.requeued) > 0)).toBe(true);
    // Re-queued duplicates are turned away by the claim: one model call per image.
    await vi.waitFor(() => expect(functionLog(stack.logDir, 'generateImage', created.runId).filter((entry) => entry.message === 'provider_call')).toHaveLength(40), LOG_LANDS);
  });
});
