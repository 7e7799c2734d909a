// tsc compiles TypeScript only; the gallery's static files are copied beside the compiled code.
// With --clean it empties dist/ first, so files of deleted sources are never deployed.
import { cpSync, existsSync, rmSync } from 'node:fs';

if (process.argv.includes('--clean')) rmSync('dist', { recursive: true, force: true });
else if (existsSync('functions/gallery/assets')) cpSync('functions/gallery/assets', 'dist/functions/gallery/assets', { recursive: true });
