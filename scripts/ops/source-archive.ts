import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import zlib from 'node:zlib';

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

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** zlib.crc32 arrived in Node 20.15 / 22.2; the table version covers older Node 20 releases. */
export function crc32(data: Buffer): number {
  const native = (zlib as { crc32?: (data: Buffer) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// 1980-01-01 00:00, the earliest DOS timestamp: any fixed value keeps the bytes stable.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DEFLATED = 8;

/** A plain zip (no zip64): deflated where that is smaller, stored otherwise. */
export function encodeZip(entries: ArchiveEntry[]): Buffer {
  if (entries.length > 0xffff) throw new Error(`too many files for a zip without zip64: ${entries.length}`);
  const names = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`duplicate zip entry: ${entry.name}`);
    names.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = zlib.deflateRawSync(entry.data, { level: 9 });
    const method = deflated.length < entry.data.length ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflated : entry.data;
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry file modes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
    if (offset > 0xffffffff) throw new Error('archive larger than 4 GiB needs zip64');
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
