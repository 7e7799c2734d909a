import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';

const read = (file: string) => JSON.parse(readFileSync(join(projectRoot, file), 'utf8')) as Record<string, unknown>;
const commands = read('scripts/commands.json') as Record<string, string[]>;
const npmScripts = read('package.json').scripts as Record<string, string>;

describe('the command map of scripts/run.mjs', () => {
  const groupOf = new Map(Object.entries(commands).flatMap(([group, names]) => names.map((name) => [name, group] as const)));

  it.each(Object.entries(npmScripts).filter(([, line]) => /scripts\/run\.mjs [a-z]/.test(line)))('npm run %s names a mapped command', (_, line) => {
    const name = /scripts\/run\.mjs ([a-z0-9-]+)/.exec(line)?.[1] ?? '';
    expect(groupOf.get(name), `${name} in scripts/commands.json`).toBeDefined();
  });

  it.each([...groupOf])('%s is a source file in scripts/%s', (name, group) => {
    expect(existsSync(join(projectRoot, 'scripts', group, `${name}.ts`))).toBe(true);
  });

  it('maps each name once', () => {
    const names = Object.values(commands).flat();
    expect(new Set(names).size).toBe(names.length);
  });
});
