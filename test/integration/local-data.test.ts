import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followRun } from '../../scripts/client/follow-run.js';
import { freePort } from '../../scripts/stack/net.js';
import { killEverything as killAll, startDev as startDevIn, type Dev } from '../support/dev-command.js';
import { scratchDir } from '../support/scratch.js';

const dataDir = scratchDir('local-data-');
const started: Dev[] = [];

// Saves every 2 s, so the SIGKILL case can wait out one save instead of 30 s.
async function startDev(apiPort: number, env: Record<string, string> = {}): Promise<Dev> {
  const dev = await startDevIn(dataDir, apiPort, { LOCAL_DATA_SAVE_SECONDS: '2', ...env });
  started.push(dev);
  return dev;
}

const killEverything = (dev: Dev): void => killAll(dev, dataDir);

async function waitForOutput(dev: Dev, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!dev.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" after 60 s:\n${dev.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const quiet = { update: () => {}, finish: () => {} };

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  for (const dev of started) if (dev.child.exitCode === null) dev.child.kill('SIGINT');
});

describe('npm run dev keeps its data across restarts', () => {
  it('keeps a run, its images and two reviews over Ctrl-C, the last save over a SIGKILL of everything, and all of it over a SIGKILL of the command', async () => {
    const apiPort = await freePort();
    let dev = await startDev(apiPort);
    const created = await dev.api.createRun({ count: 4, seed: 5 });
    await followRun(dev.api, created.runId, { progress: quiet, pollMs: 300 });
    const { prompts } = await dev.api.getPrompts(created.runId);
    const [first, second, third] = prompts;
    const review = { relevance: 4, inappropriate: false, note: 'kept' };
    await dev.api.call('PUT', `/v1/runs/${created.runId}/prompts/${first?.promptId}/review`, review);
    await dev.api.call('PUT', `/v1/runs/${created.runId}/prompts/${second?.promptId}/review`, { ...review, relevance: 2 });
    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(130);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);

    // No API_PORT this time: the api comes back on the port the data folder kept.
    dev = await startDev(apiPort, { API_PORT: '' });
    expect(dev.output()).toContain('loading the saved Firestore data');
    expect(dev.output()).toContain(`api: http://127.0.0.1:${apiPort}\n`);
    // The run had completed before Ctrl-C: the first tick finds nothing to resume, and says so.
    await waitForOutput(dev, 'no unfinished work from before the restart');
    expect(dev.output()).not.toContain('resuming unfinished work');
    const status = await dev.api.getRun(created.runId);
    expect(status.state).toBe('completed');
    expect(status.counts.assessed).toBe(4);
    const after = (await dev.api.getPrompts(created.runId)).prompts;
    expect(after.find((p) => p.promptId === first?.promptId)?.review).toMatchObject({ relevance: 4, note: 'kept' });
    expect(after.find((p) => p.promptId === second?.promptId)?.review).toMatchObject({ relevance: 2 });
    const image = await dev.api.getImage(created.runId, first?.promptId as string);
    expect(image.subarray(1, 4).toString()).toBe('PNG');

    // A review, one save interval, then everything is killed at once.
    await dev.api.call('PUT', `/v1/runs/${created.runId}/prompts/${third?.promptId}/review`, { ...review, relevance: 5 });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    killEverything(dev);
    await dev.exited;

    dev = await startDev(apiPort);
    const survived = (await dev.api.getPrompts(created.runId)).prompts;
    expect(survived.find((p) => p.promptId === third?.promptId)?.review).toMatchObject({ relevance: 5 });
    expect(survived.filter((p) => p.review !== null)).toHaveLength(3);
    expect((await dev.api.getImage(created.runId, third?.promptId as string)).length).toBeGreaterThan(100);

    // SIGKILL of the command alone leaves its emulators running: the next start saves their data and stops them.
    const fourth = prompts[3];
    await dev.api.call('PUT', `/v1/runs/${created.runId}/prompts/${fourth?.promptId}/review`, { ...review, relevance: 1 });
    const orphans = (JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { processes: Array<{ pid: number }> }).processes;
    dev.child.kill('SIGKILL');
    await dev.exited;
    expect(orphans.filter((p) => isAlive(p.pid)).length).toBeGreaterThan(0);
    dev = await startDev(apiPort);
    expect(dev.output()).toMatch(/a previous stack \(pid \d+\) was killed and left \d+ processes running/);
    expect(orphans.filter((p) => isAlive(p.pid))).toEqual([]);
    const last = (await dev.api.getPrompts(created.runId)).prompts;
    expect(last.find((p) => p.promptId === fourth?.promptId)?.review).toMatchObject({ relevance: 1 });
    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(130);
  });
});
