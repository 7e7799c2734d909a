import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, from TypeScript source, from dist/ or from a deployed function. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above the functions');
    dir = parent;
  }
  return dir;
}

/** The software that writes a dataset, for generation_parameters.json: this package, Node and the libraries that shape the files. */
export function softwareVersions(): Record<string, string> {
  const root = packageRoot();
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
  // A library that is not where npm puts it (an unusual install) is recorded as such rather than failing an export.
  const version = (pkg: string) => {
    try {
      return read(join(root, 'node_modules', pkg, 'package.json')).version;
    } catch {
      return 'unknown';
    }
  };
  const own = read(join(root, 'package.json'));
  return { [own.name]: own.version, node: process.version, sharp: version('sharp'), '@google-cloud/functions-framework': version('@google-cloud/functions-framework') };
}
