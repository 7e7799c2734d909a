/**
 * Scratch folders for tests. Each is made under the system's temporary folder and removed when
 * its test file ends (scratch-cleanup.ts, a setup file in vitest.config.ts), so a run of the
 * suite leaves nothing behind; a dozen of its files export datasets and notebooks of several
 * megabytes each. KEEP_TEST_SCRATCH=1 keeps them, to look at after a failure.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty folder whose name starts with `prefix`, removed when the test file ends. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder scratchDir made in this test file, unless KEEP_TEST_SCRATCH=1. */
export async function removeScratchDirs(): Promise<void> {
  const dirs = made.splice(0);
  if (process.env.KEEP_TEST_SCRATCH === '1') return;
  // maxRetries: a child process the file stopped may still be closing a file in its folder.
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
}
