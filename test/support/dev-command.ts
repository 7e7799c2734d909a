import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../../scripts/client/api-client.js';
import { projectRoot } from '../../scripts/lib/tools.js';

/** `npm run dev` as a user runs it, on a data folder of the test's own, never the user's .local-data. */
export interface Dev {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  api: ApiClient;
}

/** Starts `npm run dev` (the built script) and resolves once it says it is up. */
export async function startDev(dataDir: string, apiPort: number, env: Record<string, string> = {}): Promise<Dev> {
  const child = spawn(process.execPath, ['dist/scripts/commands/dev.js', '--data-dir', dataDir], {
    cwd: projectRoot,
    env: { ...process.env, API_PORT: String(apiPort), INSTRUCTOR_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 180_000;
  while (!output.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      if (child.exitCode === null) child.kill('SIGINT');
      throw new Error(`dev did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const token = /instructor token \(generated, kept in [^)]+\): (\S+)/.exec(output)?.[1];
  return { child, output: () => output, exited, api: new ApiClient(`http://127.0.0.1:${apiPort}`, token) };
}

/** SIGKILL for the dev process and every process group it started, as a power cut would do. */
export function killEverything(dev: Dev, dataDir: string): void {
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
