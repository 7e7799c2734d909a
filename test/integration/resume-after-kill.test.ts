import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/net.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { killEverything, startDev, type Dev } from '../support/dev-command.js';
import { scratchDir } from '../support/scratch.js';

const dataDir = scratchDir('resume-');
// Saves every 2 s instead of 30 s. The lease (120 s) and the reconciler's cadence (60 s) and
// staleness (600 s) keep their defaults: resuming must wait for none of them.
const env = { LOCAL_DATA_SAVE_SECONDS: '2' };
const logFile = join(projectRoot, '.stack-logs', 'generateImage.log');
const running: Dev[] = [];

afterAll(() => {
  for (const dev of running) if (dev.child.exitCode === null) dev.child.kill('SIGINT');
});

/** The generator's JSON log lines with `message`, as { promptId } records. */
function logged(text: string, message: string): string[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    const entry = JSON.parse(line) as { message?: string; promptId?: string };
    return entry.message === message && entry.promptId ? [entry.promptId] : [];
  });
}

async function until<T>(what: string, deadlineMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('npm run dev after a SIGKILL of everything mid-run', () => {
  it('resumes the unfinished run at once: every prompt ends, none costs a second successful model call', async () => {
    const apiPort = await freePort();
    let dev = await startDev(dataDir, apiPort, env);
    running.push(dev);
    const created = await dev.api.createRun({ count: 30, seed: 13 });

    // Some images done, then one save after that, while the run is still going.
    const progressAt = await until('the first images', 120_000, async () => {
      const { counts } = await dev.api.getRun(created.runId);
      return counts.generated + counts.assessed >= 2 ? Date.now() : undefined;
    });
    const firestoreDir = join(dataDir, 'firestore');
    await until('a save after that', 30_000, async () => (existsSync(firestoreDir) && statSync(firestoreDir).mtimeMs > progressAt ? true : undefined));
    killEverything(dev, dataDir);
    await dev.exited;
    const before = readFileSync(logFile, 'utf8');
    const calledBeforeKill = new Set(logged(before, 'provider_call'));
    const generatedBeforeKill = new Set(logged(before, 'generated'));

    const restarted = Date.now();
    dev = await startDev(dataDir, apiPort, env);
    running.push(dev);
    const ready = Date.now();
    // Said after the first tick, from what it found: this run's unfinished prompts.
    const resumed = await until('the first tick to report', 45_000, async () => /resuming unfinished work from before the restart: \d+ prompts? /.exec(dev.output())?.[0]);
    expect(resumed).toBeTruthy();
    // Waits less than the reconciler's 60 s interval (and far less than its 600 s staleness), so it
    // fails if resuming waited for either; the run needs seconds.
    const status = await until('the run to complete', 45_000, async () => {
      const run = await dev.api.getRun(created.runId);
      return run.state === 'completed' ? run : undefined;
    });
    const completed = Date.now();
    console.log(`restart to run completed: ${((completed - restarted) / 1000).toFixed(1)} s (${((completed - ready) / 1000).toFixed(1)} s after the stack was up)`);
    const { prompts } = await dev.api.getPrompts(created.runId);
    expect(prompts).toHaveLength(30);
    // The kill may cut off the model calls in flight at that moment, and only those: such a prompt
    // ends failed with a reason, every other prompt is assessed.
    const failed = prompts.filter((prompt) => prompt.status !== 'assessed');
    for (const prompt of failed) {
      expect(prompt.status).toBe('failed');
      expect(prompt.failureReason).toBeTruthy();
      expect(calledBeforeKill.has(prompt.promptId) && !generatedBeforeKill.has(prompt.promptId)).toBe(true);
    }
    expect(status.counts).toMatchObject({ assessed: 30 - failed.length, failed: failed.length });

    // The first tick after the restart found unfinished work, so the kill did land mid-run.
    const ticks = readFileSync(join(projectRoot, '.stack-logs', 'reconcile.log'), 'utf8').split('\n').filter((line) => line.includes('"reconcile tick"'));
    const first = JSON.parse(ticks[0] as string) as { requeued: number; reassessed: number };
    expect(first.requeued + first.reassessed).toBeGreaterThan(0);

    // A model call is successful once its image is recorded: at most one per prompt over both sessions.
    const generated = [...logged(before, 'generated'), ...logged(readFileSync(logFile, 'utf8'), 'generated')];
    const calls = new Map<string, number>();
    for (const promptId of generated) calls.set(promptId, (calls.get(promptId) ?? 0) + 1);
    expect([...calls.entries()].filter(([, count]) => count > 1)).toEqual([]);

    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(130);
  });
});
