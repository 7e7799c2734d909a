import { appendFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { ManagedProcess } from './processes.js';

/**
 * Restarts a function process that dies, as Cloud Run replaces a crashed instance: after a
 * backoff of 0.5 s, 1 s, 2 s … up to 10 s, reset once a process has stayed up for 30 s.
 * Each restart is logged to the stack's log and to the process's own log file. Supervision
 * starts only once the process has become ready: a process that cannot start at all is a
 * start-up failure to report, not something to retry forever.
 */
export interface SupervisedProcess extends ManagedProcess {
  /** Begins restarting the process whenever it exits. */
  supervise(): void;
  restarts(): number;
}

export const RESTART_BACKOFF = { initialMs: 500, maxMs: 10_000, healthyAfterMs: 30_000 };

export function restartDelayMs(consecutiveRestarts: number): number {
  return Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.initialMs * 2 ** consecutiveRestarts);
}

export function supervisedProcess(start: (restart: boolean) => ManagedProcess, options: { log: (line: string) => void; onStart?: (name: string, pid: number | undefined) => void }): SupervisedProcess {
  let current = start(false);
  let supervising = false;
  let stopping = false;
  let restarts = 0;
  let consecutive = 0;
  let startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  options.onStart?.(current.name, current.child.pid);

  const watch = (managed: ManagedProcess): void => {
    void managed.exited.then((code) => {
      if (stopping || !supervising || managed !== current) return;
      if (Date.now() - startedAt > RESTART_BACKOFF.healthyAfterMs) consecutive = 0;
      const delay = restartDelayMs(consecutive);
      const signal = managed.child.signalCode;
      const line = `${managed.name} exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${delay / 1000} s (restart ${restarts + 1})`;
      options.log(line);
      appendFileSync(managed.logFile, `[supervisor] ${line}\n`);
      timer = setTimeout(() => {
        if (stopping) return;
        restarts += 1;
        consecutive += 1;
        startedAt = Date.now();
        current = start(true);
        options.onStart?.(current.name, current.child.pid);
        appendFileSync(current.logFile, `[supervisor] ${current.name} restarted (pid ${current.child.pid})\n`);
        watch(current);
      }, delay);
      timer.unref();
    });
  };

  return {
    get name() {
      return current.name;
    },
    get child(): ChildProcess {
      return current.child;
    },
    get logFile() {
      return current.logFile;
    },
    get exited() {
      return current.exited;
    },
    get closed() {
      return current.closed;
    },
    recentOutput: () => current.recentOutput(),
    supervise() {
      if (supervising) return;
      supervising = true;
      watch(current);
    },
    restarts: () => restarts,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await current.stop();
    },
  };
}

/** The pid of every supervised process, rewritten on each (re)start, so tests and people can find them. */
export function pidFileWriter(file: string): (name: string, pid: number | undefined) => void {
  const pids: Record<string, number | undefined> = {};
  return (name, pid) => {
    pids[name] = pid;
    writeFileSync(file, `${JSON.stringify(pids, null, 2)}\n`);
  };
}
