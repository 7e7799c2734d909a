/**
 * A setup file (vitest.config.ts): its afterAll is registered before the test file's own hooks,
 * so it runs after them, once the file has stopped whatever was writing into its folders.
 */
import { afterAll } from 'vitest';
import { removeScratchDirs } from './scratch.js';

afterAll(removeScratchDirs);
