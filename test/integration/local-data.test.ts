import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../scripts/client/api-client.js';
import { followRun } from '../../scripts/client/follow-run.js';
import { freePort } from '../../scripts/stack/net.js';
import { projectRoot } from '../../scripts/lib/tools.js';

/** `npm run dev` as a user runs it, on a data folder of the test's own, never the user's .local-data. */
interface Dev {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  api: ApiClient;
}

const dataDir = mkdtempSync(join(tmpdir(), 'local-data-'));
const started: ChildProcess[] = [];

async function startDev(apiPort: number): Promise<Dev> {
  // Saves every 2 s, so the SIGKILL case can wait out one save instead of 30 s.
  const child = spawn(process.execPath, ['dist/scripts/dev.js', '--data-dir', dataDir], {
    cwd: projectRoot,
    env: { ...process.env, API_PORT: String(apiPort), LOCAL_DATA_SAVE_SECONDS: '2', INSTRUCTOR_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 180_000;
  while (!output.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dev did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const token = /instructor token \(generated, kept in [^)]+\): (\S+)/.exec(output)?.[1];
  return { child, output: () => output, exited, api: new ApiClient(`http://127.0.0.1:${apiPort}`, token) };
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

/** SIGKILL for the dev process and every process group it started, as a power cut would do. */
function killEverything(dev: Dev): void {
  const record = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { processes: Array<{ pid: number }> };
  dev.child.kill('SIGKILL');
  for (const p of record.processes) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGINT');
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

    dev = await startDev(apiPort);
    expect(dev.output()).toContain('loading the saved Firestore data');
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
