import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/net.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { scratchDir } from '../support/scratch.js';

const processesUsing = (ports: string[]): string[] =>
  spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => ports.some((port) => line.includes(`:${port}`) || line.includes(`=${port}`) || line.includes(`-port ${port}`)));

/** Runs the user-facing commands as a user would: `npm run dev`, then `npm run generate` against it, then Ctrl-C. */
describe('npm run dev + npm run generate', () => {
  it('serves on API_PORT, exports a run triggered from a script, and leaves no process behind on SIGINT', async () => {
    const apiPort = await freePort();
    // A data folder of its own: the tests never touch the user's .local-data.
    const dataDir = scratchDir('dev-data-');
    const dev = spawn(process.execPath, ['dist/scripts/commands/dev.js', '--data-dir', dataDir], { cwd: projectRoot, env: { ...process.env, API_PORT: String(apiPort), INSTRUCTOR_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    dev.stdout.on('data', (chunk) => (output += chunk));
    dev.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!output.includes('Ctrl-C stops everything')) {
        if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`dev did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(output).toContain(`api: http://127.0.0.1:${apiPort}`);
      expect((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status).toBe(200);

      const out = scratchDir('generate-');
      const token = /instructor token \(generated, kept in [^)]+\): (\S+)/.exec(output)?.[1];
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      const generate = spawnSync(process.execPath, ['dist/scripts/commands/generate.js', '--api', `http://127.0.0.1:${apiPort}`, '--count', '6', '--seed', '3', '--out', out, '--force'], {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, API_TOKEN: token },
      });
      expect(generate.status, generate.stderr).toBe(0);
      expect(generate.stderr).toMatch(/6 prompts planned/);
      const entries = JSON.parse(readFileSync(join(out, 'metadata', 'image_prompts.json'), 'utf8')) as Array<{ status: string }>;
      expect(entries.map((entry) => entry.status)).toEqual(Array(6).fill('succeeded'));

      const bad = spawnSync(process.execPath, ['dist/scripts/commands/generate.js', '--api', `http://127.0.0.1:${apiPort}`, '--count', '0'], { cwd: projectRoot, encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--count must be between 1 and 500/);
    } finally {
      dev.kill('SIGINT');
    }
    expect(await exited).toBe(130);
    const ports = [String(apiPort), ...[...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => match[1] as string)];
    expect(processesUsing([...new Set(ports)])).toEqual([]);
  });
});
