import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Child processes started in their own process group, so stopping one also stops what
 * it started (gcloud runs python → bash → java). Everything registered here is killed on
 * exit, even an abnormal one.
 */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  /** Resolves once the process has exited and all its output has been read. */
  closed: Promise<void>;
  /** The end of its output, kept in memory: the log file may still be behind when the process dies. */
  recentOutput(): string;
  stop(): Promise<void>;
}

const RECENT_BYTES = 4096;
/** How long stop() waits for a stopped process's last output before closing its log without it. */
const OUTPUT_DRAIN_MS = 5000;

const running = new Set<ManagedProcess>();

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string; appendLog?: boolean; inheritEnv?: boolean },
): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  // Always opened for appending, so lines a supervisor adds are never overwritten; a restarted
  // process keeps adding to its log, so what happened before the restart stays readable.
  if (!options.appendLog) writeFileSync(options.logFile, '');
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd,
    // Without inheritance the process sees exactly `env`: nothing from the caller's shell can stand in for a missing variable.
    env: options.inheritEnv === false ? { ...options.env } : { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let recent = '';
  const keep = (chunk: Buffer) => {
    recent = (recent + chunk.toString('utf8')).slice(-RECENT_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // A command that cannot be started (not on PATH, not executable) says so in its log.
    child.once('error', (error) => {
      log.write(`could not start ${command}: ${error.message}\n`);
      keep(Buffer.from(`could not start ${command}: ${error.message}\n`));
      resolve(-1);
    });
  });
  const managed: ManagedProcess = {
    name,
    child,
    logFile: options.logFile,
    exited,
    closed,
    recentOutput: () => recent,
    async stop() {
      await stopGroup(child, exited);
      running.delete(managed);
      // 'exit' can come before the last output: a child of the group may still hold the pipe
      // for a moment. Ending the log only after the output has closed (or a bounded wait, then
      // unpiping) means no chunk can be written to an ended log, which would throw.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
      child.stdout?.unpipe(log);
      child.stderr?.unpipe(log);
      log.end();
    },
  };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}

async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    killGroup(child.pid, 'SIGKILL');
    return;
  }
  killGroup(child.pid, 'SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
  await Promise.race([exited, timeout]);
  // The leader may exit before its children (the Java emulators): sweep the whole group.
  killGroup(child.pid, 'SIGKILL');
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Last resort on process exit: synchronous, so it can only send signals. */
process.on('exit', () => {
  for (const managed of running) killGroup(managed.child.pid, 'SIGKILL');
});

/**
 * Stops all processes on Ctrl-C, SIGTERM or SIGHUP, and when the parent process goes away
 * (a killed `npm` does not always pass the signal on), runs `cleanup`, then exits.
 */
export function stopOnSignals(cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${why}, stopping…\n`);
    void cleanup().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => stop(`received ${signal}`, signal === 'SIGINT' ? 130 : 143));
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited', 143);
  }, 500).unref();
}
