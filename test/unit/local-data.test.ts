import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalData, processStartTime } from '../../scripts/stack/local-data.js';

const quiet = { fresh: false, log: () => {} };
const saved = (dir: string, folder = 'firestore') => {
  const exportDir = join(dir, folder, 'firestore_export_1');
  mkdirSync(exportDir, { recursive: true });
  writeFileSync(join(exportDir, 'firestore_export_1.overall_export_metadata'), 'x');
  return join(dir, 'firestore', 'firestore_export_1', 'firestore_export_1.overall_export_metadata');
};

describe('openLocalData', () => {
  it('claims an empty folder and frees it on release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    const data = await openLocalData(dir, quiet);
    expect(data.importFile).toBeNull();
    expect(existsSync(data.storageDir)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8'))).toMatchObject({ pid: process.pid, startedAt: processStartTime(process.pid) });
    data.release();
    expect(existsSync(join(dir, 'stack.json'))).toBe(false);
  });

  it('refuses a folder a running stack uses, and says where that stack answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    const first = await openLocalData(dir, quiet);
    first.attach({ projectId: 'p', firestoreHost: '127.0.0.1:1', apiUrl: 'http://127.0.0.1:8080', processes: [] }, 3_600_000);
    await expect(openLocalData(dir, quiet)).rejects.toThrow(
      `another local stack (pid ${process.pid}) is using ${dir}; stop it first, trigger runs on it with: npm run generate -- --api http://127.0.0.1:8080, or pass --data-dir to keep this one's data elsewhere`,
    );
    first.release();
  });

  it('takes over the folder of a stack that is gone, and imports its last save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ pid: process.pid, startedAt: 'not this process', projectId: 'p', firestoreHost: '', processes: [{ name: 'x', pid: process.pid, startedAt: 'gone' }] }));
    const metadata = saved(dir);
    const data = await openLocalData(dir, quiet);
    expect(data.importFile).toBe(metadata);
    data.release();
  });

  it('restores the previous save when a crash came between the two renames of a save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    const metadata = saved(dir, 'firestore.previous');
    mkdirSync(join(dir, 'firestore.next'));
    const data = await openLocalData(dir, quiet);
    expect(data.importFile).toBe(metadata);
    expect(existsSync(join(dir, 'firestore.next'))).toBe(false);
    data.release();
  });

  it('starts empty with fresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    saved(dir);
    mkdirSync(join(dir, 'storage', 'synthetic-images'), { recursive: true });
    const data = await openLocalData(dir, { ...quiet, fresh: true });
    expect(data.importFile).toBeNull();
    expect(existsSync(join(dir, 'storage', 'synthetic-images'))).toBe(false);
    data.release();
  });

  it('keeps a generated instructor token, readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    const data = await openLocalData(dir, quiet);
    expect(data.instructorToken(() => 'a'.repeat(48))).toBe('a'.repeat(48));
    expect(data.instructorToken(() => 'b'.repeat(48))).toBe('a'.repeat(48));
    expect(statSync(join(dir, 'instructor-token')).mode & 0o777).toBe(0o600);
    data.release();
  });
});
