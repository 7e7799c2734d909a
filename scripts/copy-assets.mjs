// tsc compiles TypeScript only; the gallery's static files are copied beside the compiled code.
import { cpSync, existsSync } from 'node:fs';

const from = 'functions/gallery/assets';
if (existsSync(from)) cpSync(from, 'dist/functions/gallery/assets', { recursive: true });
