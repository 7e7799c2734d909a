import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** Pinned: v1.55.1 needs Go ≥ 1.25. Bump here and the tools folder rebuilds. */
export const FAKE_GCS_SERVER_MODULE = 'github.com/fsouza/fake-gcs-server';
export const FAKE_GCS_SERVER_VERSION = 'v1.55.1';

/** The folder holding package.json, whether this runs from TypeScript source or from dist/. */
function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(resolve(import.meta.dirname, '..'));
export const toolsDir = join(projectRoot, '.tools');

/**
 * Installs fake-gcs-server with `go install` into .tools/bin (git-ignored) on first use.
 * It needs Go and the Go module proxy; it takes about a minute once.
 */
export async function ensureFakeGcsServer(log: (line: string) => void = () => {}): Promise<string> {
  const bin = join(toolsDir, 'bin', 'fake-gcs-server');
  const stamp = join(toolsDir, 'bin', '.fake-gcs-server.version');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === FAKE_GCS_SERVER_VERSION) return bin;
  mkdirSync(join(toolsDir, 'bin'), { recursive: true });
  log(`installing fake-gcs-server ${FAKE_GCS_SERVER_VERSION} into .tools/bin (go install, about a minute, once)…`);
  try {
    await promisify(execFile)('go', ['install', `${FAKE_GCS_SERVER_MODULE}@${FAKE_GCS_SERVER_VERSION}`], {
      env: { ...process.env, GOBIN: join(toolsDir, 'bin'), GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`could not install fake-gcs-server: is Go ≥ 1.25 on PATH and the Go module proxy reachable?\n${detail}`, { cause: error });
  }
  writeFileSync(stamp, `${FAKE_GCS_SERVER_VERSION}\n`);
  return bin;
}
