import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evenDrop } from '../../scripts/stack/fault-relay.js';
import { startProcess } from '../../scripts/stack/processes.js';
import { restartDelayMs, supervisedProcess, type SupervisedProcess } from '../../scripts/stack/supervisor.js';
import { scratchDir } from '../support/scratch.js';

describe('the local stack\'s supervisor', () => {
  let supervised: SupervisedProcess | undefined;
  afterEach(async () => {
    await supervised?.stop();
  });

  it.each([[0, 500], [1, 1000], [3, 4000], [5, 10_000], [12, 10_000]])('backs off: restart %i waits %i ms', (restarts, ms) => {
    expect(restartDelayMs(restarts)).toBe(ms);
  });

  it('restarts a process killed with SIGKILL, logs it, and appends to its log; stop() ends it for good', async () => {
    const logFile = join(scratchDir('supervisor-'), 'worker.log');
    const lines: string[] = [];
    const pids: Array<number | undefined> = [];
    supervised = supervisedProcess(
      (restart) => startProcess('worker', process.execPath, ['-e', 'console.log("up " + process.pid); setInterval(() => {}, 1000)'], { logFile, appendLog: restart }),
      { log: (line) => lines.push(line), onStart: (_name, pid) => pids.push(pid) },
    );
    supervised.supervise();
    const first = supervised.child.pid!;
    const logged = async (text: string) => {
      for (let waited = 0; !readFileSync(logFile, 'utf8').includes(text); waited += 50) {
        expect(waited, `"${text}" in the log`).toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await logged(`up ${first}`);
    process.kill(first, 'SIGKILL');
    for (let waited = 0; supervised.restarts() === 0; waited += 50) {
      expect(waited).toBeLessThan(5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await logged(`up ${supervised.child.pid}`);
    expect(supervised.child.pid).not.toBe(first);
    expect(pids).toEqual([first, supervised.child.pid]);
    expect(lines).toEqual(['worker exited (signal SIGKILL); restarting in 0.5 s (restart 1)']);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`up ${first}`);
    expect(log).toContain('[supervisor] worker exited (signal SIGKILL)');

    const last = supervised.child;
    await supervised.stop();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(last.signalCode ?? last.exitCode).not.toBeNull();
    expect(supervised.restarts()).toBe(1);
  });
});

describe('the fault relay\'s even drops', () => {
  it.each([[0.1, 40, 4], [0.1, 9, 0], [0.25, 40, 10], [0, 100, 0]])('rate %f over %i messages drops %i', (rate, total, dropped) => {
    expect(Array.from({ length: total }, (_, seen) => evenDrop(seen, rate)).filter(Boolean)).toHaveLength(dropped);
  });
});

describe('startProcess', () => {
  it('stops a process that is still writing without writing to its closed log', async () => {
    const logFile = join(scratchDir('processes-'), 'chatty.log');
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      for (let round = 0; round < 5; round++) {
        // As gcloud's emulators do: the leader exits at SIGTERM while a child of its group goes on
        // writing until the SIGKILL sweep, and what it wrote is read after 'exit'.
        const writer = '(trap "" TERM; while :; do echo "still writing a long line of output to fill the pipe"; done) & wait';
        const chatty = startProcess('chatty', 'sh', ['-c', writer], { logFile });
        for (let waited = 0; !chatty.recentOutput().includes('still writing'); waited += 20) {
          expect(waited).toBeLessThan(10_000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await chatty.stop();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
    expect(readFileSync(logFile, 'utf8')).toContain('still writing');
  });
});
