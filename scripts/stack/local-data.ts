/**
 * The local stack's data folder (`.local-data/` by default, git-ignored), so runs, prompts,
 * reviews and images survive a restart:
 * - `storage/`: fake-gcs-server's filesystem backend writes every object there as it arrives;
 * - `firestore/`: the latest Firestore emulator export, imported on the next start. It is saved
 *   every `saveIntervalMs` and on stop, into `firestore.next/` first and then swapped in, so a
 *   crash in the middle of a save leaves the previous export whole;
 * - `stack.json`: which stack uses the folder. A second stack on the same folder is refused; the
 *   processes of a stack that was killed (SIGKILL leaves them running) have their Firestore data
 *   saved and are then stopped by the next start.
 * The Pub/Sub emulator keeps nothing on disk (its --data-dir holds only its own settings), so
 * messages in flight are not kept; the reconciler resumes unfinished prompts right after a start
 * on saved data (RECONCILE_RESTARTED_AT, see stack.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StackRecord {
  pid: number;
  startedAt: string | null;
  projectId: string;
  firestoreHost: string;
  /** Where its api answers, so a second command can be pointed at it. */
  apiUrl?: string;
  /** Process-group leaders, each with its start time, so a reused pid is never signalled. */
  processes: Array<{ name: string; pid: number; startedAt: string | null }>;
}

export interface LocalData {
  dir: string;
  storageDir: string;
  /** The `…overall_export_metadata` file of the last save, for `--import-data`; null when there is none. */
  importFile: string | null;
  /** Records the running stack and saves Firestore every `intervalMs` from now on. */
  attach(record: Omit<StackRecord, 'pid' | 'startedAt'>, intervalMs: number): void;
  /** Saves Firestore now; resolves when the export is in place. */
  save(): Promise<void>;
  /** Stops saving and frees the folder; call after the last save. */
  release(): void;
  /** The api port the last stack on this folder used, or null: kept so a bookmarked gallery or a notebook's URL still works after a restart. */
  savedApiPort: number | null;
  keepApiPort(port: number): void;
  /** The generated instructor token, kept (mode 600) so the gallery sign-in survives a restart too. */
  instructorToken(generate: () => string): string;
}

/** The start time of a process in clock ticks since boot (Linux), to tell a pid's owner from a later process that reuses it. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const isSameProcess = (pid: number, startedAt: string | null): boolean => startedAt !== null && processStartTime(pid) === startedAt;

/** Exports the emulator's data into `target`, which it creates (the emulator requires an existing folder). */
export async function exportFirestore(host: string, projectId: string, target: string): Promise<void> {
  mkdirSync(target, { recursive: true });
  const response = await fetch(`http://${host}/emulator/v1/projects/${projectId}:export`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ database: `projects/${projectId}/databases/(default)`, export_directory: target }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`Firestore emulator export answered ${response.status}: ${await response.text()}`);
}

/** The metadata file of the export under `dir`, or null. */
function exportMetadata(dir: string): string | null {
  if (!existsSync(dir)) return null;
  for (const entry of readdirSync(dir)) {
    const folder = join(dir, entry);
    const file = existsSync(folder) ? readdirSync(folder).find((name) => name.endsWith('.overall_export_metadata')) : undefined;
    if (file) return join(folder, file);
  }
  return null;
}

export async function openLocalData(dirOption: string, options: { fresh: boolean; log: (line: string) => void }): Promise<LocalData> {
  const dir = resolve(dirOption);
  const current = join(dir, 'firestore');
  const next = join(dir, 'firestore.next');
  const previous = join(dir, 'firestore.previous');
  const lockFile = join(dir, 'stack.json');
  mkdirSync(dir, { recursive: true });

  const leftover = existsSync(lockFile) ? (JSON.parse(readFileSync(lockFile, 'utf8')) as StackRecord) : null;
  if (leftover && isSameProcess(leftover.pid, leftover.startedAt)) {
    const use = leftover.apiUrl ? `, trigger runs on it with: npm run generate -- --api ${leftover.apiUrl}` : '';
    throw new Error(`another local stack (pid ${leftover.pid}) is using ${dir}; stop it first${use}, or pass --data-dir to keep this one's data elsewhere`);
  }
  if (leftover) await takeOverLeftover(leftover, { current, next, previous }, options.log);

  if (options.fresh) {
    options.log(`--fresh: deleting the data in ${dir}`);
    for (const sub of ['firestore', 'firestore.next', 'firestore.previous', 'storage']) rmSync(join(dir, sub), { recursive: true, force: true });
  }
  // A crash between the two renames of a save leaves the last good export under firestore.previous.
  if (!existsSync(current) && existsSync(previous)) renameSync(previous, current);
  rmSync(next, { recursive: true, force: true });
  const storageDir = join(dir, 'storage');
  mkdirSync(storageDir, { recursive: true });

  // Claimed at once, so a second stack started meanwhile is refused; attach() fills in the processes.
  const writeLock = (info: StackRecord) => writeFileSync(lockFile, `${JSON.stringify(info, null, 2)}\n`);
  writeLock({ pid: process.pid, startedAt: processStartTime(process.pid), projectId: '', firestoreHost: '', processes: [] });
  let record: StackRecord | null = null;
  let timer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  const saveOnce = async (): Promise<void> => {
    if (!record) return;
    await saveExport(record, { current, next, previous });
  };
  const save = (): Promise<void> => {
    // One save at a time: the periodic one and the final one must not interleave their renames.
    saving = saving.then(saveOnce, saveOnce);
    return saving;
  };
  return {
    dir,
    storageDir,
    importFile: exportMetadata(current),
    attach(info, intervalMs) {
      record = { ...info, pid: process.pid, startedAt: processStartTime(process.pid) };
      writeLock(record);
      timer = setInterval(() => void save().catch((error) => options.log(`saving Firestore data failed: ${(error as Error).message}`)), intervalMs);
      timer.unref();
    },
    save,
    savedApiPort: readPort(join(dir, 'api-port')),
    keepApiPort(port) {
      writeFileSync(join(dir, 'api-port'), `${port}\n`);
    },
    instructorToken(generate) {
      const file = join(dir, 'instructor-token');
      if (existsSync(file)) return readFileSync(file, 'utf8').trim();
      const token = generate();
      writeFileSync(file, `${token}\n`, { mode: 0o600 });
      return token;
    },
    release() {
      clearInterval(timer);
      rmSync(lockFile, { force: true });
      record = null;
    },
  };
}

/** A hand-edited or truncated file is no reason to fail a start: it only means no saved port. */
function readPort(file: string): number | null {
  if (!existsSync(file)) return null;
  const port = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

async function saveExport(record: Pick<StackRecord, 'firestoreHost' | 'projectId'>, paths: { current: string; next: string; previous: string }): Promise<void> {
  rmSync(paths.next, { recursive: true, force: true });
  await exportFirestore(record.firestoreHost, record.projectId, paths.next);
  rmSync(paths.previous, { recursive: true, force: true });
  if (existsSync(paths.current)) renameSync(paths.current, paths.previous);
  renameSync(paths.next, paths.current);
  rmSync(paths.previous, { recursive: true, force: true });
}

/** A stack killed without stopping its children: save what its Firestore holds, then stop its process groups. */
async function takeOverLeftover(leftover: StackRecord, paths: { current: string; next: string; previous: string }, log: (line: string) => void): Promise<void> {
  const alive = leftover.processes.filter((p) => isSameProcess(p.pid, p.startedAt));
  if (alive.length === 0) return;
  log(`a previous stack (pid ${leftover.pid}) was killed and left ${alive.length} processes running: saving its Firestore data and stopping them…`);
  await saveExport(leftover, paths).catch((error) => log(`could not save its Firestore data (${(error as Error).message}); using the last save`));
  for (const p of alive) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}
