import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import yazl from 'yazl';

/**
 * The deployable function source: the compiled functions plus the manifests Cloud Build needs to
 * `npm ci --omit=dev`. The zip is deterministic (sorted entries, fixed timestamps), so its hash,
 * which names the uploaded object, changes exactly when the deployed content does.
 */

export interface ArchiveEntry {
  /** Path inside the zip, always with forward slashes. */
  name: string;
  data: Buffer;
}

/** Kept from package.json. Scripts go: dist/ is prebuilt, and the buildpack would otherwise try to run tsc. */
const DEPLOYED_PACKAGE_FIELDS = ['name', 'version', 'private', 'type', 'main', 'engines', 'dependencies'] as const;

export function deployedPackageJson(packageJson: Record<string, unknown>): string {
  const kept = Object.fromEntries(DEPLOYED_PACKAGE_FIELDS.filter((field) => field in packageJson).map((field) => [field, packageJson[field]]));
  return `${JSON.stringify(kept, null, 2)}\n`;
}

/** Source maps point at TypeScript files that are not deployed, so they would only add weight. */
export function isDeployedFile(relativePath: string): boolean {
  return !relativePath.endsWith('.map');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Everything the functions need at run time, read from a built project root. */
export function collectSourceEntries(root: string): ArchiveEntry[] {
  const functionsDir = join(root, 'dist', 'functions');
  let compiled: string[];
  try {
    compiled = listFiles(functionsDir);
  } catch (error) {
    throw new Error(`no compiled functions in ${functionsDir}: run \`npm run build\` first`, { cause: error });
  }
  if (!compiled.some((file) => file.endsWith(`${sep}index.js`))) throw new Error(`${functionsDir} has no index.js: run \`npm run build\` first`);
  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  return sortEntries([
    { name: 'package.json', data: Buffer.from(deployedPackageJson(packageJson)) },
    { name: 'package-lock.json', data: readFileSync(join(root, 'package-lock.json')) },
    ...compiled
      .map((file) => ({ file, name: relative(root, file).split(sep).join('/') }))
      .filter(({ name }) => isDeployedFile(name))
      .map(({ file, name }) => ({ name, data: readFileSync(file) })),
  ]);
}

export function sortEntries(entries: ArchiveEntry[]): ArchiveEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// 1980-01-01 00:00 local time, the earliest DOS timestamp: yazl writes a date's local date and time
// fields, so one built from local fields (when zipping, in the zone of the moment) gives the same
// bytes in every time zone. The extended (Unix) timestamp field is left out for the same reason.
const fixedLocalTime = () => new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

/**
 * A plain zip written by yazl: every entry deflated, with a fixed timestamp and mode, in the order
 * given, so the same entries give the same bytes.
 */
export function encodeZip(entries: ArchiveEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = fixedLocalTime();
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`duplicate zip entry: ${entry.name}`);
    names.add(entry.name);
    zip.addBuffer(entry.data, entry.name, { mtime, mode: FILE_MODE, compressionLevel: 9, forceDosTimestamp: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface SourceArchive {
  path: string;
  sha256: string;
}

/** Writes .tools/deploy/source-<hash prefix>.zip (git-ignored) and returns its absolute path and hash: what deploy uploads and the rehearsal installs. */
export async function buildSourceArchive(root: string, outDir: string): Promise<SourceArchive> {
  const zip = await encodeZip(collectSourceEntries(root));
  const sha256 = sha256Hex(zip);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `source-${sha256.slice(0, 16)}.zip`);
  if (!existsSync(path)) writeFileSync(path, zip);
  return { path, sha256 };
}
