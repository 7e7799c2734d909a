/**
 * `node scripts/run.mjs NAME [args…]`: runs the compiled command dist/scripts/NAME.js, building first
 * only when a source is newer than the last build, so a command answers without a TypeScript
 * compile. Plain JavaScript, because it has to work before anything is compiled (a fresh clone).
 * `node scripts/run.mjs --stamp` records a finished build; `npm run build` calls it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stampFile = join(root, 'dist', '.build-stamp');
// Everything tsconfig.build.json compiles or copies, and what changes how it compiles.
const SOURCES = ['functions', 'scripts', 'test/support', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The newest modification time under the sources, directories included, so a deleted file counts too. */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    let info;
    try {
      info = statSync(path);
    } catch {
      return;
    }
    newest = Math.max(newest, info.mtimeMs);
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  for (const source of SOURCES) visit(join(root, source));
  return newest;
}

const builtAt = () => (existsSync(stampFile) ? Number(readFileSync(stampFile, 'utf8')) || 0 : 0);

const [name, ...args] = process.argv.slice(2);
if (name === '--stamp') {
  writeFileSync(stampFile, `${newestSource()}\n`);
} else if (!name || !/^([a-z0-9-]+\/)?[a-z0-9-]+$/.test(name)) {
  // One optional folder (bench/NAME for scripts/bench/): letters, digits and dashes only, so a name never leaves dist/scripts.
  process.stderr.write('usage: node scripts/run.mjs [FOLDER/]COMMAND [args…], for a command in scripts/\n');
  process.exitCode = 2;
} else {
  const entry = join(root, 'dist', 'scripts', `${name}.js`);
  if (!existsSync(entry) || newestSource() > builtAt()) {
    process.stderr.write(existsSync(stampFile) ? 'sources changed since the last build; building…\n' : 'building, once…\n');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  // Run in this process, as if started directly: the commands read process.argv.slice(2).
  process.argv = [process.argv[0], entry, ...args];
  await import(pathToFileURL(entry).href);
}
