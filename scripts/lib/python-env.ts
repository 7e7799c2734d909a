import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, toolsDir } from './tools.js';

export const PYTHON_REQUIREMENTS = join(projectRoot, 'python', 'requirements.txt');
export const pythonEnvDir = join(toolsDir, 'venv');

/**
 * Creates .tools/venv (git-ignored) with python/requirements.txt, and recreates it when that file
 * changes. The tests that run Python (the notebook snippet in docs/notebook.md, the dataset checks) use it.
 * Returns the venv's python.
 */
export async function ensurePythonEnv(log: (line: string) => void = () => {}): Promise<string> {
  const python = join(pythonEnvDir, 'bin', 'python');
  const stamp = join(pythonEnvDir, '.requirements.sha256');
  const wanted = createHash('sha256').update(readFileSync(PYTHON_REQUIREMENTS)).digest('hex');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return python;
  const run = promisify(execFile);
  log('creating the Python environment .tools/venv from python/requirements.txt…');
  try {
    await run('python3', ['-m', 'venv', '--clear', pythonEnvDir]);
    await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', PYTHON_REQUIREMENTS], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`could not create the Python environment: is python3 (with venv) on PATH and PyPI reachable?\n${detail}`, { cause: error });
  }
  writeFileSync(stamp, `${wanted}\n`);
  return python;
}
