import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { openLocalData, processStartTime } from '../../scripts/stack/local-data.js';
import { chooseApiPort, freePort } from '../../scripts/stack/net.js';
import { resumeLine } from '../../scripts/stack/reconcile-timer.js';
import { scratchDir } from '../support/scratch.js';

const quiet = { fresh: false, log: () => {} };
const saved = (dir: string, folder = 'firestore') => {
  const exportDir = join(dir, folder, 'firestore_export_1');
  mkdirSync(exportDir, { recursive: true });
  writeFileSync(join(exportDir, 'firestore_export_1.overall_export_metadata'), 'x');
  return join(dir, 'firestore', 'firestore_export_1', 'firestore_export_1.overall_export_metadata');
};

describe('openLocalData', () => {
  it('claims an empty folder and frees it on release', async () => {
    const dir = scratchDir('local-data-');
    const data = await openLocalData(dir, quiet);
    expect(data.importFile).toBeNull();
    expect(existsSync(data.storageDir)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8'))).toMatchObject({ pid: process.pid, startedAt: processStartTime(process.pid) });
    data.release();
    expect(existsSync(join(dir, 'stack.json'))).toBe(false);
  });

  it('refuses a folder a running stack uses, and says where that stack answers', async () => {
    const dir = scratchDir('local-data-');
    const first = await openLocalData(dir, quiet);
    first.attach({ projectId: 'p', firestoreHost: '127.0.0.1:1', apiUrl: 'http://127.0.0.1:8080', processes: [] }, 3_600_000);
    await expect(openLocalData(dir, quiet)).rejects.toThrow(
      `another local stack (pid ${process.pid}) is using ${dir}; stop it first, trigger runs on it with: npm run generate -- --api http://127.0.0.1:8080, or pass --data-dir to keep this one's data elsewhere`,
    );
    first.release();
  });

  it('takes over the folder of a stack that is gone, and imports its last save', async () => {
    const dir = scratchDir('local-data-');
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ pid: process.pid, startedAt: 'not this process', projectId: 'p', firestoreHost: '', processes: [{ name: 'x', pid: process.pid, startedAt: 'gone' }] }));
    const metadata = saved(dir);
    const data = await openLocalData(dir, quiet);
    expect(data.importFile).toBe(metadata);
    data.release();
  });

  it('restores the previous save when a crash came between the two renames of a save', async () => {
    const dir = scratchDir('local-data-');
    const metadata = saved(dir, 'firestore.previous');
    mkdirSync(join(dir, 'firestore.next'));
    const data = await openLocalData(dir, quiet);
    expect(data.importFile).toBe(metadata);
    expect(existsSync(join(dir, 'firestore.next'))).toBe(false);
    data.release();
  });

  it('starts empty with fresh', async () => {
    const dir = scratchDir('local-data-');
    saved(dir);
    mkdirSync(join(dir, 'storage', 'synthetic-images'), { recursive: true });
    const data = await openLocalData(dir, { ...quiet, fresh: true });
    expect(data.importFile).toBeNull();
    expect(existsSync(join(dir, 'storage', 'synthetic-images'))).toBe(false);
    data.release();
  });

  it('keeps a generated instructor token, readable by its owner only', async () => {
    const dir = scratchDir('local-data-');
    const data = await openLocalData(dir, quiet);
    expect(data.instructorToken(() => 'a'.repeat(48))).toBe('a'.repeat(48));
    expect(data.instructorToken(() => 'b'.repeat(48))).toBe('a'.repeat(48));
    expect(statSync(join(dir, 'instructor-token')).mode & 0o777).toBe(0o600);
    data.release();
  });
});

describe('the api port of a data folder', () => {
  it('is kept across openings, and a damaged file means no saved port', async () => {
    const dir = scratchDir('local-data-');
    const first = await openLocalData(dir, quiet);
    expect(first.savedApiPort).toBeNull();
    first.keepApiPort(43117);
    first.release();
    const second = await openLocalData(dir, quiet);
    expect(second.savedApiPort).toBe(43117);
    second.release();
    writeFileSync(join(dir, 'api-port'), 'eighty\n');
    const third = await openLocalData(dir, quiet);
    expect(third.savedApiPort).toBeNull();
    third.release();
  });

  it('is chosen by API_PORT first, then the saved port while it is free, then any free port', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const saved = await freePort();
    expect(await chooseApiPort(40001, saved, log)).toBe(40001);
    expect(await chooseApiPort(undefined, saved, log)).toBe(saved);
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(saved, '127.0.0.1', resolve));
    const other = await chooseApiPort(undefined, saved, log);
    holder.close();
    expect(other).not.toBe(saved);
    expect(lines).toEqual([`the data folder's api port ${saved} is taken now; using another one (set API_PORT to choose)`]);
  });
});

describe('the line after the first reconcile tick on saved data', () => {
  it('says resuming only when the tick found unfinished work', () => {
    expect(resumeLine({ requeued: 0, reassessed: 0, failed: 0, completedRuns: 0 })).toBe('no unfinished work from before the restart');
    expect(resumeLine({ requeued: 0, reassessed: 0, failed: 0, completedRuns: 1 })).toBe('no unfinished work from before the restart (1 run marked completed)');
    expect(resumeLine({ requeued: 3, reassessed: 1, failed: 0, completedRuns: 1 })).toBe(
      'resuming unfinished work from before the restart: 3 prompts queued again, 1 prompt assessed from its stored image, 1 run marked completed',
    );
  });
});
